using Hermes.Abstractions;
using Hermes.Data;
using Hermes.Inference;
using Hermes.Runtime;
using static TorchSharp.torch;

namespace Hermes.Inference;

/// <summary>
/// Segments whole (preprocessed) volumes with a trained <see cref="UniversalSegmenter"/>: sliding windows, per-task
/// sigmoid probabilities, threshold masks. Tasks are given by name and mapped to prior indices by the task vocabulary.
/// </summary>
/// <remarks>
/// Thread-safe: one predictor (and one model) may serve calls from several threads at once, and each call gives bit for bit
/// what it gives alone on any thread — it runs with the process-wide intra-op thread count (<see cref="IntraOpThreads"/>)
/// and keeps the model in evaluation mode until the last concurrent call ends, which restores the model's training flag.
/// Do not train the model while it predicts (docs/concurrency.md).
/// </remarks>
public sealed class SegmentationPredictor
{
    private readonly UniversalSegmenter model;
    private readonly SlidingWindowInferer inferer;
    private readonly TaskVocabulary vocabulary;

    /// <summary>Creates a predictor.</summary>
    /// <param name="model">The model (not owned).</param>
    /// <param name="window">Sliding-window options.</param>
    /// <param name="vocabulary">The model's task vocabulary.</param>
    /// <param name="threshold">Foreground probability threshold in [0, 1).</param>
    public SegmentationPredictor(UniversalSegmenter model, SlidingWindowOptions window, TaskVocabulary vocabulary, double threshold = 0.5)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(window);
        ArgumentNullException.ThrowIfNull(vocabulary);
        HermesRuntime.EnsureInitialized();
        this.model = model;
        inferer = new SlidingWindowInferer(window);
        this.vocabulary = vocabulary;
        Threshold = threshold;
    }

    /// <summary>The foreground probability threshold.</summary>
    public double Threshold { get; }

    /// <summary>Per-task probabilities <c>[T, D, H, W]</c> (float32) of an image <c>[C, D, H, W]</c>.</summary>
    /// <param name="image">The intensity-normalised image.</param>
    /// <param name="tasks">Task names (from the vocabulary), one output channel each.</param>
    /// <param name="modality">The modality name, or <see cref="TaskVocabulary.UnknownModality"/>.</param>
    /// <param name="cancellationToken">Cancels between window batches.</param>
    public Tensor PredictProbabilities(Tensor image, IReadOnlyList<string> tasks, string modality, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(tasks);
        if (tasks.Count == 0)
        {
            throw new ArgumentException("Name at least one task.", nameof(tasks));
        }

        var taskIds = tasks.Select(t => (long)vocabulary.TaskIndex(t)).ToArray();
        long modalityId = vocabulary.ModalityIndex(modality);
        using var evaluation = EvaluationModeLease.Enter(model);
        using var threads = IntraOpThreads.Use();
        using var noGrad = no_grad();
        return inferer.Infer(image, windows =>
        {
            using var scope = NewDisposeScope();
            var n = windows.shape[0];
            var taskTensor = tensor(taskIds, device: windows.device).unsqueeze(0).expand(n, -1).contiguous();
            var modalityTensor = full([n], modalityId, ScalarType.Int64, device: windows.device);
            using var output = model.forward(windows, taskTensor, modalityTensor);
            return output.Logits.detach().clone().MoveToOuterDisposeScope();
        }, cancellationToken: cancellationToken);
    }

    /// <summary>Binary masks <c>[T, D, H, W]</c> (uint8 0/1) of an image <c>[C, D, H, W]</c>.</summary>
    /// <param name="image">The intensity-normalised image.</param>
    /// <param name="tasks">Task names, one mask each.</param>
    /// <param name="modality">The modality name.</param>
    /// <param name="cancellationToken">Cancels between window batches.</param>
    public Tensor PredictMasks(Tensor image, IReadOnlyList<string> tasks, string modality, CancellationToken cancellationToken = default)
    {
        using var probabilities = PredictProbabilities(image, tasks, modality, cancellationToken);
        return SegmentationDecision.Threshold(probabilities, Threshold);
    }
}
