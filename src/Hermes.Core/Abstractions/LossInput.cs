using static TorchSharp.torch;

namespace Hermes.Abstractions;

/// <summary>Everything a loss term may look at for one batch.</summary>
/// <param name="Logits">Segmentation logits <c>[B, T, D, H, W]</c> the term scores.</param>
/// <param name="Labels">Binary masks <c>[B, T, D, H, W]</c> (any integer or floating type), aligned with the task columns.</param>
/// <param name="TaskIndices">Task indices <c>[B, T]</c> int64, −1 for null columns.</param>
/// <param name="ModalityLogits">Modality logits <c>[B, mn]</c>, when the model predicts them.</param>
/// <param name="ModalityIndices">Modality indices <c>[B, 1]</c> or <c>[B]</c> int64, −1 for unknown.</param>
/// <param name="AuxiliaryLogits">Deep-supervision logits at the input size (may be empty).</param>
public sealed record LossInput(
    Tensor Logits,
    Tensor Labels,
    Tensor TaskIndices,
    Tensor? ModalityLogits,
    Tensor? ModalityIndices,
    IReadOnlyList<Tensor> AuxiliaryLogits)
{
    /// <summary>Builds the loss input from a segmenter output and the batch targets.</summary>
    /// <param name="output">The model output.</param>
    /// <param name="labels">Binary masks <c>[B, T, D, H, W]</c>.</param>
    /// <param name="request">The task/modality indices used for the forward pass.</param>
    public static LossInput From(SegmenterOutput output, Tensor labels, PriorRequest request)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(request);
        return new LossInput(output.Logits, labels, request.TaskIndices, output.ModalityLogits, request.ModalityIndices,
            output.AuxiliaryLogits);
    }
}
