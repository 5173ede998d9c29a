namespace Hermes.IO;

/// <summary>Options for reading volumes.</summary>
public sealed record VolumeReadOptions
{
    /// <summary>The default largest voxel count accepted (2³¹, e.g. 1290³ or 2048×2048×512).</summary>
    public const long DefaultMaxVoxels = 1L << 31;

    /// <summary>Largest number of voxels (all channels) a header may claim; larger headers are rejected before any allocation.</summary>
    public long MaxVoxels { get; init; } = DefaultMaxVoxels;

    /// <summary>Apply the file's intensity scaling (NIfTI <c>scl_slope/scl_inter</c>, DICOM rescale). Default <see langword="true"/>.</summary>
    public bool ApplyScaling { get; init; } = true;

    /// <summary>
    /// Detached headers (NRRD <c>.nhdr</c>, MetaImage <c>.mhd</c>): read a data file that lies outside the header's folder
    /// (an absolute path, <c>..</c>, or a link out). Default <see langword="false"/>: such headers are refused, so a crafted
    /// header cannot make the reader return another file's bytes as voxels.
    /// </summary>
    public bool AllowDataFileOutsideHeaderFolder { get; init; }

    /// <summary>DICOM: the SeriesInstanceUID to read when a folder holds several series; <see langword="null"/> = the folder must hold one.</summary>
    public string? SeriesInstanceUid { get; init; }

    /// <summary>DICOM: largest relative deviation of a slice gap from the mean gap before the series is rejected as unevenly spaced. Default 1 %.</summary>
    public double SliceSpacingTolerance { get; init; } = 0.01;

    /// <summary>Validates the options.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range (named).</exception>
    public void Validate()
    {
        if (MaxVoxels <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(MaxVoxels), MaxVoxels, "MaxVoxels must be positive.");
        }

        if (!(SliceSpacingTolerance >= 0) || SliceSpacingTolerance > 1)
        {
            throw new ArgumentOutOfRangeException(nameof(SliceSpacingTolerance), SliceSpacingTolerance, "SliceSpacingTolerance must be in [0, 1].");
        }
    }

    /// <summary>
    /// Every reader's start: the path is given, <see langword="null"/> options are the defaults and are validated, and,
    /// for a one-file format (<paramref name="format"/> named), the file exists.
    /// </summary>
    /// <param name="path">The path the reader was given.</param>
    /// <param name="options">The options it was given.</param>
    /// <param name="format">The format's name for the not-found message, or <see langword="null"/> to skip that check.</param>
    /// <returns>The options to read with.</returns>
    internal static VolumeReadOptions ForReading(string path, VolumeReadOptions? options, string? format = null)
    {
        ArgumentNullException.ThrowIfNull(path);
        options ??= new VolumeReadOptions();
        options.Validate();
        if (format is not null && !File.Exists(path))
        {
            throw new FileNotFoundException($"{format} file not found: {path}", path);
        }

        return options;
    }
}
