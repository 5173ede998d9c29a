using Hermes.Abstractions;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Priors.Losses;

/// <summary>
/// Applies a segmentation loss to the final logits and to each auxiliary (deep-supervision) output and sums them with
/// weights: <c>Σ_j w_j · inner(logits_j)</c> over [final, aux_1, …]. Hermes-M uses weights [0.5, 0.5].
/// </summary>
public sealed class DeepSupervisionLoss : ILossTerm
{
    private readonly double[] weights;

    /// <summary>Wraps <paramref name="inner"/> with one weight per output (final first).</summary>
    /// <param name="inner">The per-output segmentation loss.</param>
    /// <param name="weights">Weights for [final, aux_1, …].</param>
    public DeepSupervisionLoss(ILossTerm inner, params double[] weights)
    {
        ArgumentNullException.ThrowIfNull(inner);
        ArgumentNullException.ThrowIfNull(weights);
        if (weights.Length == 0 || weights.Any(w => !double.IsFinite(w)))
        {
            throw new ArgumentException("Give one finite weight per output (final first).", nameof(weights));
        }

        Inner = inner;
        this.weights = weights;
    }

    /// <inheritdoc/>
    public string Name => "seg";

    /// <summary>The per-output loss.</summary>
    public ILossTerm Inner { get; }

    /// <summary>Weights for [final, aux_1, …].</summary>
    public IReadOnlyList<double> Weights => weights;

    /// <inheritdoc/>
    public Tensor Compute(LossInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.AuxiliaryLogits.Count != weights.Length - 1)
        {
            throw new ArgumentException(
                $"Deep supervision has {weights.Length} weights but the model produced 1 + {input.AuxiliaryLogits.Count} outputs.",
                nameof(input));
        }

        using var scope = NewDisposeScope();
        var total = Inner.Compute(input).mul(weights[0]);
        for (var j = 0; j < input.AuxiliaryLogits.Count; j++)
        {
            total = total.add(Inner.Compute(input with { Logits = input.AuxiliaryLogits[j] }).mul(weights[j + 1]));
        }

        return total.MoveToOuterDisposeScope();
    }
}
