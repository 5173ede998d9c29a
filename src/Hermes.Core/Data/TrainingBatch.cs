using static TorchSharp.torch;

namespace Hermes.Data;

/// <summary>
/// One training batch (reference §9.3): images, per-task binary masks aligned with the task columns, task indices
/// padded with the null token −1, and one modality per sample.
/// </summary>
/// <remarks>
/// The batch owns its four tensors: the constructor detaches them from any TorchSharp dispose scope they were made in (dispose
/// scopes are per thread), so a batch built inside a caller's <c>NewDisposeScope()</c>, or on a thread-pool thread by a
/// prefetcher, lives until <see cref="Dispose"/> and is never freed by a scope's end. Dispose it on one thread, once it is no
/// longer used.
/// </remarks>
public sealed record TrainingBatch : IDisposable
{
    /// <summary>Creates a batch that owns the four tensors (each is detached from the dispose scope it was made in).</summary>
    /// <param name="image">Images <c>[B, C, D, H, W]</c> float32.</param>
    /// <param name="labels">Binary masks <c>[B, T, D, H, W]</c> int8 or uint8 (0/1); column t belongs to task <c>TaskIndices[b, t]</c>.</param>
    /// <param name="taskIndices">Task indices <c>[B, T]</c> int64; −1 marks a null column (no loss, no gradient).</param>
    /// <param name="modality">Modality indices <c>[B]</c> int64; −1 for unknown.</param>
    /// <exception cref="ArgumentNullException">A tensor is <see langword="null"/>.</exception>
    public TrainingBatch(Tensor image, Tensor labels, Tensor taskIndices, Tensor modality)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(taskIndices);
        ArgumentNullException.ThrowIfNull(modality);
        Image = image.DetachFromDisposeScope();
        Labels = labels.DetachFromDisposeScope();
        TaskIndices = taskIndices.DetachFromDisposeScope();
        Modality = modality.DetachFromDisposeScope();
    }

    /// <summary>Images <c>[B, C, D, H, W]</c> float32.</summary>
    public Tensor Image { get; }

    /// <summary>Binary masks <c>[B, T, D, H, W]</c> int8 or uint8 (0/1); column t belongs to task <c>TaskIndices[b, t]</c>.</summary>
    public Tensor Labels { get; }

    /// <summary>Task indices <c>[B, T]</c> int64; −1 marks a null column (no loss, no gradient).</summary>
    public Tensor TaskIndices { get; }

    /// <summary>Modality indices <c>[B]</c> int64; −1 for unknown.</summary>
    public Tensor Modality { get; }

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

    /// <summary>Deconstructs the batch into its four tensors (still owned by the batch).</summary>
    /// <param name="image">The images.</param>
    /// <param name="labels">The masks.</param>
    /// <param name="taskIndices">The task indices.</param>
    /// <param name="modality">The modality indices.</param>
    public void Deconstruct(out Tensor image, out Tensor labels, out Tensor taskIndices, out Tensor modality) =>
        (image, labels, taskIndices, modality) = (Image, Labels, TaskIndices, Modality);

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
