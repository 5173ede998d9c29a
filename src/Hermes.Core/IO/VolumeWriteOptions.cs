using System.IO.Compression;
using Hermes.Volumes;

namespace Hermes.IO;

/// <summary>Options for writing volumes.</summary>
public sealed record VolumeWriteOptions
{
    /// <summary>The on-disk voxel type; <see langword="null"/> = the volume's in-memory type (or the label rule when <see cref="IsLabel"/>).</summary>
    public VoxelType? DataType { get; init; }

    /// <summary>
    /// Write a label map: values must be integers; stored unscaled as uint8 when they fit in [0, 255], else int16 when
    /// they fit, else int32.
    /// </summary>
    public bool IsLabel { get; init; }

    /// <summary>Compression level for compressed outputs (<c>.nii.gz</c>, NRRD gzip, MetaImage <c>.mha</c>). Default <see cref="CompressionLevel.Fastest"/>.</summary>
    public CompressionLevel Compression { get; init; } = CompressionLevel.Fastest;

    /// <summary>NIfTI: the qform_code and sform_code written (1 = scanner anatomical, 2 = aligned, 4 = MNI). Default 1.</summary>
    public short NiftiXformCode { get; init; } = 1;
}
