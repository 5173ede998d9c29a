namespace Hermes.Preprocessing;

/// <summary>How voxel values are interpolated when resampling.</summary>
public enum ResamplingMode
{
    /// <summary>Trilinear (images). Reproduces linear intensity ramps exactly.</summary>
    Linear,

    /// <summary>Nearest neighbour (labels; fast, blocky on upsampling).</summary>
    Nearest,

    /// <summary>Labels: each label's mask is resampled trilinearly and every voxel takes the label of highest weight (smooth boundaries, volumes preserved).</summary>
    LinearOneHot,
}
