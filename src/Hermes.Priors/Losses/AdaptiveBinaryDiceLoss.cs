using Hermes.Abstractions;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Priors.Losses;

/// <summary>
/// Hermes' adaptive binary Dice (Tversky) loss per (sample, task) pair: with p = sigmoid(logit) and g the mask,
/// α = clamp(FP / (FP + FN + 1e-6), 0.2, 0.8), β = 1 − α, loss = 1 − TP / (TP + α·FP + β·FN + 1e-6); then the weighted
/// mean over pairs with null columns weighted 0. α is not detached (reference §7, §14.5).
/// </summary>
/// <param name="taskCount">Task vocabulary size tn.</param>
public sealed class AdaptiveBinaryDiceLoss(int taskCount) : ILossTerm
{
    /// <inheritdoc/>
    public string Name => "dice";

    /// <summary>Task vocabulary size tn.</summary>
    public int TaskCount { get; } = taskCount >= 1 ? taskCount : throw new ArgumentOutOfRangeException(nameof(taskCount));

    /// <inheritdoc/>
    public Tensor Compute(LossInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        TaskPairWeights.CheckShapes(input.Logits, input.Labels, input.TaskIndices);
        using var scope = NewDisposeScope();
        var p = input.Logits.sigmoid().flatten(2);
        var g = input.Labels.to_type(p.dtype).flatten(2);
        var tp = p.mul(g).sum([2]);
        var fp = p.sum([2]).sub(tp);
        var fn = g.sum([2]).sub(tp);
        var alpha = fp.div(fp.add(fn).add(1e-6)).clamp(0.2, 0.8);
        var beta = alpha.neg().add(1.0);
        var dice = tp.div(tp.add(alpha.mul(fp)).add(beta.mul(fn)).add(1e-6));
        var perPair = dice.neg().add(1.0);
        return TaskPairWeights.WeightedMean(perPair, input.TaskIndices, TaskCount).MoveToOuterDisposeScope();
    }
}
