using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Priors.Losses;

/// <summary>
/// Per-(sample, task) loss weights as in the reference: a weight vector of tn ones with the last entry zeroed, indexed
/// by the task id, where −1 (null padding) resolves to the last entry. Null columns therefore carry no loss and no
/// gradient (and so does task id tn − 1, as in the reference, §7 and §14.1).
/// </summary>
public static class TaskPairWeights
{
    /// <summary>Returns weights <c>[B, T]</c> in <paramref name="dtype"/> for task indices <c>[B, T]</c>.</summary>
    /// <param name="taskIndices">Task indices <c>[B, T]</c> int64, −1 = null.</param>
    /// <param name="taskCount">tn.</param>
    /// <param name="dtype">Floating type of the result.</param>
    public static Tensor Compute(Tensor taskIndices, int taskCount, ScalarType dtype)
    {
        ArgumentNullException.ThrowIfNull(taskIndices);
        ArgumentOutOfRangeException.ThrowIfLessThan(taskCount, 1);
        using var scope = NewDisposeScope();
        var resolved = where(taskIndices.lt(0), taskIndices.add(taskCount), taskIndices);
        return resolved.ne(taskCount - 1).to_type(dtype).MoveToOuterDisposeScope();
    }

    /// <summary>Weighted mean <c>Σ w·ℓ / Σ w</c> of per-pair losses <c>[B, T]</c>.</summary>
    /// <param name="pairLosses">Per-pair losses <c>[B, T]</c>.</param>
    /// <param name="taskIndices">Task indices <c>[B, T]</c>.</param>
    /// <param name="taskCount">tn.</param>
    public static Tensor WeightedMean(Tensor pairLosses, Tensor taskIndices, int taskCount)
    {
        ArgumentNullException.ThrowIfNull(pairLosses);
        using var scope = NewDisposeScope();
        var w = Compute(taskIndices, taskCount, pairLosses.dtype);
        return pairLosses.mul(w).sum().div(w.sum()).MoveToOuterDisposeScope();
    }

    internal static void CheckShapes(Tensor logits, Tensor labels, Tensor taskIndices)
    {
        if (logits.dim() < 3 || !logits.shape.SequenceEqual(labels.shape))
        {
            throw new ArgumentException(
                $"Logits [{string.Join(", ", logits.shape)}] and labels [{string.Join(", ", labels.shape)}] must have the same shape [B, T, …].");
        }

        if (taskIndices.dim() != 2 || taskIndices.shape[0] != logits.shape[0] || taskIndices.shape[1] != logits.shape[1])
        {
            throw new ArgumentException(
                $"Task indices [{string.Join(", ", taskIndices.shape)}] must be [B, T] = [{logits.shape[0]}, {logits.shape[1]}].");
        }
    }
}
