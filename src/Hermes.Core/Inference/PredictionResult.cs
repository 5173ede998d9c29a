using Hermes.Volumes;

namespace Hermes.Inference;

/// <summary>
/// A prediction in the input's original grid (shape and affine): binary uint8 masks per task, or one int16 label map.
/// Owns its volumes.
/// </summary>
public sealed class PredictionResult : IDisposable
{
    internal PredictionResult(IReadOnlyList<string> tasks, IReadOnlyList<Volume> masks, Volume? labelMap, IReadOnlyList<Volume> probabilities)
    {
        Tasks = tasks;
        Masks = masks;
        LabelMap = labelMap;
        Probabilities = probabilities;
    }

    /// <summary>The task names, in request order (task <c>t</c> has label <c>t + 1</c> in <see cref="LabelMap"/>).</summary>
    public IReadOnlyList<string> Tasks { get; }

    /// <summary>One uint8 0/1 mask per task for <see cref="PredictionOutputKind.BinaryMasks"/>; empty otherwise.</summary>
    public IReadOnlyList<Volume> Masks { get; }

    /// <summary>The int16 label map for <see cref="PredictionOutputKind.LabelMap"/>; <see langword="null"/> otherwise.</summary>
    public Volume? LabelMap { get; }

    /// <summary>
    /// One float32 probability map per task (before thresholding and postprocessing) when
    /// <see cref="PredictionOptions.KeepProbabilities"/> is set; empty otherwise.
    /// </summary>
    public IReadOnlyList<Volume> Probabilities { get; }

    /// <summary>Disposes every volume.</summary>
    public void Dispose()
    {
        foreach (var m in Masks.Concat(Probabilities))
        {
            m.Dispose();
        }

        LabelMap?.Dispose();
    }
}
