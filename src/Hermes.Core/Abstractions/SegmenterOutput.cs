using static TorchSharp.torch;

namespace Hermes.Abstractions;

/// <summary>What a <see cref="UniversalSegmenter"/> returns.</summary>
/// <param name="Logits">Segmentation logits <c>[B, T, D, H, W]</c>, one channel per requested task.</param>
/// <param name="AuxiliaryLogits">Deep-supervision logits, each upsampled to the input size (empty when none).</param>
/// <param name="ModalityLogits">Modality logits <c>[B, mn]</c>, or <see langword="null"/> without a modality head.</param>
public sealed record SegmenterOutput(Tensor Logits, IReadOnlyList<Tensor> AuxiliaryLogits, Tensor? ModalityLogits) : IDisposable
{
    /// <summary>Disposes every tensor of the output.</summary>
    public void Dispose()
    {
        Logits.Dispose();
        foreach (var t in AuxiliaryLogits)
        {
            t.Dispose();
        }

        ModalityLogits?.Dispose();
    }
}
