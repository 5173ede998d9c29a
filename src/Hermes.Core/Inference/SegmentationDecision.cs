using Hermes.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Inference;

/// <summary>
/// Turns per-task probabilities [T, D, H, W] into decisions: one binary mask per task (multi-label, the reference's
/// rule: every task thresholded on its own, so structures may overlap) or a single label map with an explicit
/// <see cref="LabelOverlapRule"/>. A voxel is foreground for a task when its probability is strictly greater than the
/// threshold (default 0.5).
/// </summary>
public static class SegmentationDecision
{
    private const int SlabSlices = 16;

    /// <summary>Binary masks per task: <c>probabilities &gt; threshold</c>, as uint8 0/1 of the same shape and device.</summary>
    /// <param name="probabilities">Probabilities, any shape (typically [T, D, H, W]).</param>
    /// <param name="threshold">The threshold in [0, 1).</param>
    /// <returns>uint8 masks.</returns>
    public static Tensor Threshold(Tensor probabilities, double threshold = 0.5)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ValidateThreshold(threshold);
        HermesRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        return probabilities.gt(threshold).to(ScalarType.Byte).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// A label map [D, H, W] (int16): each voxel gets <c>labels[t]</c> of the task chosen by <paramref name="rule"/> among
    /// the tasks whose probability exceeds <paramref name="threshold"/>, or 0 when none does. Computed in slabs of
    /// 16 slices, so the temporaries stay small next to the input.
    /// </summary>
    /// <param name="probabilities">Probabilities [T, D, H, W].</param>
    /// <param name="labels">The label value of each task (T distinct values in 1 … 32767).</param>
    /// <param name="threshold">The threshold in [0, 1).</param>
    /// <param name="rule">How overlapping tasks are resolved.</param>
    /// <returns>The int16 label map on the input's device.</returns>
    /// <exception cref="ArgumentException">The shape, labels or rule are invalid.</exception>
    public static Tensor ToLabelMap(Tensor probabilities, IReadOnlyList<int> labels, double threshold = 0.5, LabelOverlapRule rule = LabelOverlapRule.HighestProbability)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        ArgumentNullException.ThrowIfNull(labels);
        ValidateThreshold(threshold);
        if (probabilities.dim() != 4)
        {
            throw new ArgumentException($"Expected probabilities [T, D, H, W]; got [{string.Join(", ", probabilities.shape)}].", nameof(probabilities));
        }

        if (labels.Count != probabilities.shape[0])
        {
            throw new ArgumentException($"{labels.Count} label value(s) given for {probabilities.shape[0]} task channel(s).", nameof(labels));
        }

        if (labels.Any(l => l is < 1 or > short.MaxValue) || labels.Distinct().Count() != labels.Count)
        {
            throw new ArgumentException($"Label values must be distinct and within 1 … {short.MaxValue}; got [{string.Join(", ", labels)}].", nameof(labels));
        }

        if (!Enum.IsDefined(rule))
        {
            throw new ArgumentOutOfRangeException(nameof(rule), rule, "Unknown label overlap rule.");
        }

        HermesRuntime.EnsureInitialized();
        var tasks = probabilities.shape[0];
        var depth = probabilities.shape[1];
        var result = zeros([depth, probabilities.shape[2], probabilities.shape[3]], ScalarType.Int16, probabilities.device);
        try
        {
            using var lookup = tensor(labels.Select(l => (short)l).ToArray(), ScalarType.Int16).to(probabilities.device);
            using var order = arange(tasks, 0, -1, ScalarType.Float32, probabilities.device).reshape(tasks, 1, 1, 1); // T … 1
            for (long z = 0; z < depth; z += SlabSlices)
            {
                using var scope = NewDisposeScope();
                var slab = probabilities.narrow(1, z, Math.Min(SlabSlices, depth - z));
                var above = slab.gt(threshold);

                // Score per task: the probability (or the priority) where above the threshold, −1 elsewhere; argmax picks
                // the first maximum, i.e. the earlier task on a tie.
                var score = rule == LabelOverlapRule.HighestProbability ? slab.to(ScalarType.Float32) : order.expand_as(slab);
                var masked = where(above, score, full_like(score, -1f));
                var best = masked.argmax(0);
                var any = above.any(0);
                var slabLabels = where(any, lookup.index_select(0, best.flatten()).reshape(best.shape), zeros_like(best, ScalarType.Int16));
                result.narrow(0, z, slabLabels.shape[0]).copy_(slabLabels);
            }

            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    private static void ValidateThreshold(double threshold)
    {
        if (!(threshold >= 0 && threshold < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(threshold), threshold, "The probability threshold must lie in [0, 1).");
        }
    }
}
