namespace Hermes.Inference;

/// <summary>
/// What a <see cref="VolumePredictor"/> does with NaN and ±∞ voxels in its input. One NaN spreads through the
/// normalisation (mean, standard deviation, percentiles) to every voxel, so without a choice the result is an all-empty
/// segmentation that looks like a valid answer.
/// </summary>
public enum NonFiniteVoxelHandling
{
    /// <summary>Refuse the volume with an error that counts the non-finite voxels (the default).</summary>
    Reject = 0,

    /// <summary>Replace every non-finite voxel with the volume's smallest finite intensity (background), then predict.</summary>
    ReplaceWithMinimum = 1,
}
