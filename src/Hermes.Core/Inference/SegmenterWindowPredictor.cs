using Hermes.Abstractions;
using static TorchSharp.torch;

namespace Hermes.Inference;

/// <summary>
/// Runs a <see cref="UniversalSegmenter"/> on sliding-window batches with fixed task and modality ids, as the reference
/// does at inference (hermes-reference.md §11): the requested task ids followed by exactly one null token (−1); the
/// null channel is dropped from the returned logits, so the output has one channel per requested task.
/// </summary>
public sealed class SegmenterWindowPredictor : IWindowPredictor
{
    private readonly UniversalSegmenter model;
    private readonly long[] taskIds;
    private readonly long modalityId;
    private readonly Device? device;

    /// <summary>Creates the predictor; puts the model in evaluation mode.</summary>
    /// <param name="model">The model (already on <paramref name="device"/>).</param>
    /// <param name="taskIds">Task ids in 0 … <see cref="UniversalSegmenter.TaskCount"/> − 1.</param>
    /// <param name="modalityId">Modality id, or −1 for unknown.</param>
    /// <param name="device">Where windows are moved before the forward pass; <see langword="null"/> = leave them where they are.</param>
    /// <exception cref="ArgumentOutOfRangeException">An id is outside the model's vocabulary.</exception>
    public SegmenterWindowPredictor(UniversalSegmenter model, IReadOnlyList<int> taskIds, int modalityId, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(taskIds);
        if (taskIds.Count == 0)
        {
            throw new ArgumentException("At least one task id is needed.", nameof(taskIds));
        }

        foreach (var t in taskIds)
        {
            if (t < 0 || t >= model.TaskCount)
            {
                throw new ArgumentOutOfRangeException(nameof(taskIds), t, $"Task id {t} is outside the model's vocabulary 0 … {model.TaskCount - 1}.");
            }
        }

        if (modalityId < -1 || modalityId >= model.ModalityCount)
        {
            throw new ArgumentOutOfRangeException(nameof(modalityId), modalityId, $"Modality id must be −1 or in 0 … {model.ModalityCount - 1}.");
        }

        this.model = model;
        this.taskIds = [.. taskIds.Select(t => (long)t), -1L];
        this.modalityId = modalityId;
        this.device = device;
        model.eval();
    }

    /// <inheritdoc />
    public Tensor Predict(Tensor windows, IReadOnlyList<WindowPlacement> placements)
    {
        ArgumentNullException.ThrowIfNull(windows);
        var n = windows.shape[0];
        var target = device ?? windows.device;
        using var scope = NewDisposeScope();
        var tasks = tensor(taskIds, device: target).unsqueeze(0).expand(n, -1).contiguous();
        var modality = full([n, 1], modalityId, ScalarType.Int64, target);
        using var output = model.forward(windows.to(target), tasks, modality);
        return output.Logits.narrow(1, 0, taskIds.Length - 1).MoveToOuterDisposeScope();
    }
}
