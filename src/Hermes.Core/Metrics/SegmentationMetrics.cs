namespace Hermes.Metrics;

/// <summary>The metrics a <see cref="SegmentationEvaluator"/> computes.</summary>
[Flags]
public enum SegmentationMetrics
{
    /// <summary>No metric.</summary>
    None = 0,

    /// <summary>Dice similarity coefficient.</summary>
    Dice = 1,

    /// <summary>Intersection over union (Jaccard).</summary>
    IoU = 2,

    /// <summary>Robust Hausdorff distance at <see cref="EvaluationOptions.HausdorffPercentile"/> (HD95 by default).</summary>
    Hausdorff = 4,

    /// <summary>Average symmetric surface distance.</summary>
    AverageSymmetricSurfaceDistance = 8,

    /// <summary>Normalised surface Dice at <see cref="EvaluationOptions.ToleranceMm"/>.</summary>
    NormalizedSurfaceDice = 16,

    /// <summary>The voxel-overlap metrics.</summary>
    Overlap = Dice | IoU,

    /// <summary>The surface metrics.</summary>
    Surface = Hausdorff | AverageSymmetricSurfaceDistance | NormalizedSurfaceDice,

    /// <summary>Every metric.</summary>
    All = Overlap | Surface,
}
