namespace Hermes.Inference;

/// <summary>How overlapping sliding-window predictions are weighted when they are stitched.</summary>
public enum WindowWeighting
{
    /// <summary>
    /// Gaussian importance map (product of one Gaussian per axis, centred on the window, σ = a fraction of the window
    /// size, maximum 1): window centres count more than their borders, where predictions lack context.
    /// </summary>
    Gaussian,

    /// <summary>Every voxel of every window counts equally: the plain average of overlapping windows (the reference, §11).</summary>
    Uniform,
}
