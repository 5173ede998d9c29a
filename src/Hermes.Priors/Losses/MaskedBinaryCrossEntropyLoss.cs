using Hermes.Abstractions;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Priors.Losses;

/// <summary>
/// BCE-with-logits per voxel, averaged over the voxels of each (sample, task) pair, then the weighted mean over pairs
/// with null columns weighted 0 (<see cref="TaskPairWeights"/>). No positive-class weighting.
/// </summary>
/// <param name="taskCount">Task vocabulary size tn.</param>
public sealed class MaskedBinaryCrossEntropyLoss(int taskCount) : ILossTerm
{
    /// <inheritdoc/>
    public string Name => "ce";

    /// <summary>Task vocabulary size tn.</summary>
    public int TaskCount { get; } = taskCount >= 1 ? taskCount : throw new ArgumentOutOfRangeException(nameof(taskCount));

    /// <inheritdoc/>
    public Tensor Compute(LossInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        TaskPairWeights.CheckShapes(input.Logits, input.Labels, input.TaskIndices);
        using var scope = NewDisposeScope();
        var logits = input.Logits;
        var target = input.Labels.to_type(logits.dtype);
        var perVoxel = nn.functional.binary_cross_entropy_with_logits(logits, target, reduction: nn.Reduction.None);
        var perPair = perVoxel.flatten(2).mean([2]);
        return TaskPairWeights.WeightedMean(perPair, input.TaskIndices, TaskCount).MoveToOuterDisposeScope();
    }
}
