using static TorchSharp.torch;

namespace Hermes.Abstractions;

/// <summary>One scalar loss term; terms combine with weights (see <c>Hermes.Priors.Losses.WeightedLoss</c>).</summary>
public interface ILossTerm
{
    /// <summary>Short name of the term (for logs and per-term reports), for example <c>ce</c> or <c>dice</c>.</summary>
    string Name { get; }

    /// <summary>Computes the scalar loss (a 0-dimensional tensor that carries gradients).</summary>
    /// <param name="input">Logits, labels and indices of the batch.</param>
    Tensor Compute(LossInput input);
}
