namespace Hermes.Preprocessing;

/// <summary>How intensities are clipped before the z-score.</summary>
public enum IntensityClipMode
{
    /// <summary>No clipping.</summary>
    None,

    /// <summary>Clip to a fixed range in the image's units (for CT: Hounsfield units, e.g. [−991, 500]).</summary>
    FixedRange,

    /// <summary>Clip to the volume's own lower/upper percentiles (for MR and PET, e.g. 2nd and 98th).</summary>
    Percentiles,
}
