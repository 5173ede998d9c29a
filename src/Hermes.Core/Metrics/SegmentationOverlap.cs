using System.Numerics;
using System.Runtime.InteropServices;
using Hermes.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Metrics;

/// <summary>
/// Overlap counts (true/false positives, false negatives) of a binary prediction against a binary reference, on spans or
/// on tensors. A voxel is foreground when its value is non-zero. Dice and IoU follow from <see cref="OverlapCounts"/>.
/// </summary>
public static class SegmentationOverlap
{
    /// <summary>Counts the overlap of two masks of equal length (non-zero = foreground).</summary>
    /// <param name="prediction">The predicted mask.</param>
    /// <param name="reference">The reference (ground-truth) mask.</param>
    /// <returns>The counts.</returns>
    /// <exception cref="ArgumentException">The spans differ in length.</exception>
    public static OverlapCounts Count(ReadOnlySpan<byte> prediction, ReadOnlySpan<byte> reference)
    {
        if (prediction.Length != reference.Length)
        {
            throw new ArgumentException($"Prediction has {prediction.Length} voxels but the reference has {reference.Length}.", nameof(reference));
        }

        long both = 0, predicted = 0, referenced = 0;
        var i = 0;
        if (Vector.IsHardwareAccelerated && prediction.Length >= Vector<byte>.Count)
        {
            var p = MemoryMarshal.Cast<byte, Vector<byte>>(prediction);
            var r = MemoryMarshal.Cast<byte, Vector<byte>>(reference);
            var one = Vector<byte>.One;
            for (var block = 0; block < p.Length; block += 255)
            {
                // Byte lanes count up to 255 before they are widened and summed.
                var end = Math.Min(block + 255, p.Length);
                var accBoth = Vector<byte>.Zero;
                var accP = Vector<byte>.Zero;
                var accR = Vector<byte>.Zero;
                for (var j = block; j < end; j++)
                {
                    var pj = Vector.OnesComplement(Vector.Equals(p[j], Vector<byte>.Zero)) & one;
                    var rj = Vector.OnesComplement(Vector.Equals(r[j], Vector<byte>.Zero)) & one;
                    accBoth += pj & rj;
                    accP += pj;
                    accR += rj;
                }

                both += Sum(accBoth);
                predicted += Sum(accP);
                referenced += Sum(accR);
            }

            i = p.Length * Vector<byte>.Count;
        }

        for (; i < prediction.Length; i++)
        {
            var pi = prediction[i] != 0;
            var ri = reference[i] != 0;
            both += pi && ri ? 1 : 0;
            predicted += pi ? 1 : 0;
            referenced += ri ? 1 : 0;
        }

        return new OverlapCounts(both, predicted - both, referenced - both);
    }

    /// <summary>Counts the overlap of two boolean masks of equal length.</summary>
    /// <param name="prediction">The predicted mask.</param>
    /// <param name="reference">The reference mask.</param>
    /// <returns>The counts.</returns>
    public static OverlapCounts Count(ReadOnlySpan<bool> prediction, ReadOnlySpan<bool> reference) =>
        Count(MemoryMarshal.AsBytes(prediction), MemoryMarshal.AsBytes(reference));

    /// <summary>Counts the overlap of two tensors of equal shape (any dtype, non-zero = foreground, any device).</summary>
    /// <param name="prediction">The predicted mask.</param>
    /// <param name="reference">The reference mask.</param>
    /// <returns>The counts.</returns>
    /// <exception cref="ArgumentException">The shapes differ.</exception>
    public static OverlapCounts Count(Tensor prediction, Tensor reference)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(reference);
        if (!prediction.shape.SequenceEqual(reference.shape))
        {
            throw new ArgumentException($"Prediction shape [{string.Join(", ", prediction.shape)}] differs from reference shape [{string.Join(", ", reference.shape)}].", nameof(reference));
        }

        HermesRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var p = prediction.ne(0);
        var r = reference.to(prediction.device).ne(0);
        var both = p.logical_and(r).sum().item<long>();
        var predicted = p.sum().item<long>();
        var referenced = r.sum().item<long>();
        return new OverlapCounts(both, predicted - both, referenced - both);
    }

    /// <summary>Dice of two masks; see <see cref="OverlapCounts.Dice"/> for the empty-mask convention.</summary>
    /// <param name="prediction">The predicted mask.</param>
    /// <param name="reference">The reference mask.</param>
    /// <returns>The Dice coefficient in [0, 1].</returns>
    public static double Dice(ReadOnlySpan<byte> prediction, ReadOnlySpan<byte> reference) => Count(prediction, reference).Dice;

    /// <summary>IoU of two masks; see <see cref="OverlapCounts.IoU"/> for the empty-mask convention.</summary>
    /// <param name="prediction">The predicted mask.</param>
    /// <param name="reference">The reference mask.</param>
    /// <returns>The IoU in [0, 1].</returns>
    public static double IoU(ReadOnlySpan<byte> prediction, ReadOnlySpan<byte> reference) => Count(prediction, reference).IoU;

    private static long Sum(Vector<byte> v)
    {
        Vector.Widen(v, out var lo, out var hi);
        return Vector.Sum(lo) + Vector.Sum(hi);
    }
}
