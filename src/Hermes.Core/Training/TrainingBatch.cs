using static TorchSharp.torch;

namespace Hermes.Training;

/// <summary>
/// One training batch (reference §9.3): images, per-task binary masks aligned with the task columns, task indices
/// padded with the null token −1, and one modality per sample. The batch owns its tensors.
/// </summary>
/// <param name="Image">Images <c>[B, C, D, H, W]</c> float32.</param>
/// <param name="Labels">Binary masks <c>[B, T, D, H, W]</c> int8 or uint8 (0/1); column t belongs to task <c>TaskIndices[b, t]</c>.</param>
/// <param name="TaskIndices">Task indices <c>[B, T]</c> int64; −1 marks a null column (no loss, no gradient).</param>
/// <param name="Modality">Modality indices <c>[B]</c> int64; −1 for unknown.</param>
public sealed record TrainingBatch(Tensor Image, Tensor Labels, Tensor TaskIndices, Tensor Modality) : IDisposable
{
    /// <summary>Batch size B.</summary>
    public int Size => (int)Image.shape[0];

    /// <summary>Checks shapes and dtypes against each other.</summary>
    /// <exception cref="ArgumentException">A tensor has the wrong rank, dtype or size; the message gives both shapes.</exception>
    public void Validate()
    {
        if (Image.dim() != 5 || Image.dtype != ScalarType.Float32)
        {
            throw new ArgumentException($"TrainingBatch.Image must be float32 [B, C, D, H, W]; got {Image.dtype} [{Shape(Image)}].");
        }

        var b = Image.shape[0];
        if (Labels.dim() != 5 || Labels.dtype is not (ScalarType.Int8 or ScalarType.Byte) || Labels.shape[0] != b ||
            !Labels.shape.AsSpan(2).SequenceEqual(Image.shape.AsSpan(2)))
        {
            throw new ArgumentException(
                $"TrainingBatch.Labels must be int8/uint8 [B, T, D, H, W] matching Image [{Shape(Image)}]; got {Labels.dtype} [{Shape(Labels)}].");
        }

        if (TaskIndices.dim() != 2 || TaskIndices.dtype != ScalarType.Int64 || TaskIndices.shape[0] != b ||
            TaskIndices.shape[1] != Labels.shape[1])
        {
            throw new ArgumentException(
                $"TrainingBatch.TaskIndices must be int64 [B, T] = [{b}, {Labels.shape[1]}]; got {TaskIndices.dtype} [{Shape(TaskIndices)}].");
        }

        if (Modality.dim() != 1 || Modality.dtype != ScalarType.Int64 || Modality.shape[0] != b)
        {
            throw new ArgumentException($"TrainingBatch.Modality must be int64 [B] = [{b}]; got {Modality.dtype} [{Shape(Modality)}].");
        }
    }

    /// <summary>Disposes the four tensors.</summary>
    public void Dispose()
    {
        Image.Dispose();
        Labels.Dispose();
        TaskIndices.Dispose();
        Modality.Dispose();
    }

    private static string Shape(Tensor t) => string.Join(", ", t.shape);
}
