namespace Hermes.Metrics;

/// <summary>
/// Voxel counts of a binary prediction against a binary reference, and the overlap metrics derived from them.
/// </summary>
/// <param name="TruePositives">Voxels foreground in both.</param>
/// <param name="FalsePositives">Voxels foreground in the prediction only.</param>
/// <param name="FalseNegatives">Voxels foreground in the reference only.</param>
public readonly record struct OverlapCounts(long TruePositives, long FalsePositives, long FalseNegatives)
{
    /// <summary>Number of foreground voxels in the prediction.</summary>
    public long PredictionVoxels => TruePositives + FalsePositives;

    /// <summary>Number of foreground voxels in the reference.</summary>
    public long ReferenceVoxels => TruePositives + FalseNegatives;

    /// <summary>
    /// Dice similarity coefficient 2·TP / (2·TP + FP + FN), exact (no smoothing term).
    /// Both masks empty → 1 (the absence is predicted correctly); exactly one empty → 0.
    /// </summary>
    public double Dice
    {
        get
        {
            var denominator = (2 * TruePositives) + FalsePositives + FalseNegatives;
            return denominator == 0 ? 1.0 : 2.0 * TruePositives / denominator;
        }
    }

    /// <summary>
    /// Intersection over union (Jaccard index) TP / (TP + FP + FN).
    /// Both masks empty → 1; exactly one empty → 0.
    /// </summary>
    public double IoU
    {
        get
        {
            var denominator = TruePositives + FalsePositives + FalseNegatives;
            return denominator == 0 ? 1.0 : (double)TruePositives / denominator;
        }
    }
}
