using static TorchSharp.torch;

namespace Hermes.Data;

/// <summary>
/// One training batch (hermes-reference.md §9.3), on the training device. Owns its tensors: dispose it after the step.
/// </summary>
/// <param name="Image">Images <c>[B, C, D, H, W]</c>, float32, z-scored.</param>
/// <param name="Labels">Binary masks <c>[B, T, D, H, W]</c>, uint8 (0/1): channel t is the mask of task <c>Tasks[b, t]</c>; all zero where the task is the null token.</param>
/// <param name="Tasks">Task prior indices <c>[B, T]</c>, int64; −1 (the null token) pads each sample's list. T = longest list in the batch + 1.</param>
/// <param name="Modality">Modality prior indices <c>[B]</c>, int64; −1 for an unknown modality.</param>
/// <param name="Cases">Per sample, <c>dataset/case</c> (for logging).</param>
public sealed record TrainingBatch(Tensor Image, Tensor Labels, Tensor Tasks, Tensor Modality, IReadOnlyList<string> Cases) : IDisposable
{
    /// <summary>Number of samples.</summary>
    public int Count => (int)Image.shape[0];

    /// <inheritdoc />
    public void Dispose()
    {
        Image.Dispose();
        Labels.Dispose();
        Tasks.Dispose();
        Modality.Dispose();
    }
}
