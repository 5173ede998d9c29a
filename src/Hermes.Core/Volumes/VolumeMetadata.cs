namespace Hermes.Volumes;

/// <summary>Where a volume came from: the file format, the on-disk voxel type and the intensity scaling applied on reading.</summary>
public sealed record VolumeMetadata
{
    /// <summary>Format name: <c>NIfTI-1</c>, <c>NIfTI-2</c>, <c>Analyze</c>, <c>NRRD</c>, <c>MetaImage</c>, <c>DICOM</c> or <c>memory</c>.</summary>
    public required string Format { get; init; }

    /// <summary>The voxel type stored in the file (before scaling).</summary>
    public required VoxelType DiskType { get; init; }

    /// <summary>The file or folder read; <see langword="null"/> for an in-memory volume.</summary>
    public string? Path { get; init; }

    /// <summary>Scale slope applied on reading (value = raw · slope + intercept); 1 when none.</summary>
    public double ScaleSlope { get; init; } = 1;

    /// <summary>Scale intercept applied on reading; 0 when none.</summary>
    public double ScaleIntercept { get; init; }

    /// <summary>Format-specific facts (e.g. <c>sform_code</c>, <c>qform_code</c>, <c>affine_source</c>, DICOM <c>Modality</c>).</summary>
    public IReadOnlyDictionary<string, string> Properties { get; init; } = new Dictionary<string, string>();
}
