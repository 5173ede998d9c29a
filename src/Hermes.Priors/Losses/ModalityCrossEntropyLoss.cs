using Hermes.Abstractions;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Priors.Losses;

/// <summary>
/// Cross-entropy of the modality logits against the modality indices, ignoring −1 (unknown modality); a constant 0
/// when every sample of the batch is −1.
/// </summary>
public sealed class ModalityCrossEntropyLoss : ILossTerm
{
    /// <inheritdoc/>
    public string Name => "mod";

    /// <inheritdoc/>
    public Tensor Compute(LossInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.ModalityLogits is null || input.ModalityIndices is null)
        {
            throw new ArgumentException("The modality loss needs modality logits and modality indices.", nameof(input));
        }

        using var scope = NewDisposeScope();
        var logits = input.ModalityLogits;
        var target = input.ModalityIndices.reshape(-1);
        if (target.shape[0] != logits.shape[0])
        {
            throw new ArgumentException(
                $"Modality indices hold {target.shape[0]} samples; the logits hold {logits.shape[0]}.", nameof(input));
        }

        if (!target.ne(-1).any().item<bool>())
        {
            return logits.sum().mul(0.0).MoveToOuterDisposeScope();
        }

        return nn.functional.cross_entropy(logits, target, ignore_index: -1).MoveToOuterDisposeScope();
    }
}
