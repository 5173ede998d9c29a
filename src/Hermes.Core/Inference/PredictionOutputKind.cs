namespace Hermes.Inference;

/// <summary>The form of a prediction's labels.</summary>
public enum PredictionOutputKind
{
    /// <summary>One binary uint8 mask per task (the reference's multi-label rule: structures may overlap).</summary>
    BinaryMasks,

    /// <summary>One int16 label map: task <c>t</c> (0-based, in request order) gets label <c>t + 1</c>; overlaps resolved by <see cref="PredictionOptions.OverlapRule"/>.</summary>
    LabelMap,
}
