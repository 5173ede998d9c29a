using static TorchSharp.torch;

namespace Hermes.Abstractions;

/// <summary>Predicts the imaging modality from the modality tokens of all posteriors.</summary>
public interface IModalityHead
{
    /// <summary>Number of modality classes.</summary>
    int ModalityCount { get; }

    /// <summary>Computes modality logits <c>[B, ModalityCount]</c>.</summary>
    /// <param name="posteriors">Posterior tokens <c>[B, T + l, C_i]</c> of every fused scale, in fusion order.</param>
    /// <param name="taskCount">T: tokens after the first T are the modality tokens.</param>
    Tensor Predict(IReadOnlyList<Tensor> posteriors, int taskCount);
}
