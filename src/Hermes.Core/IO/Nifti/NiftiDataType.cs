using Hermes.Volumes;

namespace Hermes.IO.Nifti;

/// <summary>NIfTI <c>datatype</c> codes and their voxel types.</summary>
public static class NiftiDataType
{
    /// <summary>The NIfTI code of a voxel type.</summary>
    /// <param name="type">The voxel type.</param>
    /// <returns>The <c>datatype</c> header value.</returns>
    public static short Code(VoxelType type) => type switch
    {
        VoxelType.UInt8 => 2,
        VoxelType.Int16 => 4,
        VoxelType.Int32 => 8,
        VoxelType.Float32 => 16,
        VoxelType.Float64 => 64,
        VoxelType.Int8 => 256,
        VoxelType.UInt16 => 512,
        VoxelType.UInt32 => 768,
        VoxelType.Int64 => 1024,
        VoxelType.UInt64 => 1280,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown voxel type."),
    };

    /// <summary>The voxel type of a NIfTI code, or <see langword="null"/> for codes that are valid but not supported (complex, RGB, float128) or unknown.</summary>
    /// <param name="code">The <c>datatype</c> header value.</param>
    /// <returns>The voxel type or <see langword="null"/>.</returns>
    public static VoxelType? FromCode(int code) => code switch
    {
        2 => VoxelType.UInt8,
        4 => VoxelType.Int16,
        8 => VoxelType.Int32,
        16 => VoxelType.Float32,
        64 => VoxelType.Float64,
        256 => VoxelType.Int8,
        512 => VoxelType.UInt16,
        768 => VoxelType.UInt32,
        1024 => VoxelType.Int64,
        1280 => VoxelType.UInt64,
        _ => null,
    };

    /// <summary>Whether the code is a NIfTI-standard datatype (supported or not).</summary>
    /// <param name="code">The <c>datatype</c> header value.</param>
    /// <returns><see langword="true"/> for standard codes.</returns>
    public static bool IsStandard(int code) => code is 1 or 2 or 4 or 8 or 16 or 32 or 64 or 128 or 256 or 512 or 768 or 1024 or 1280 or 1536 or 1792 or 2048 or 2304;

    /// <summary>The standard name of a code.</summary>
    /// <param name="code">The <c>datatype</c> header value.</param>
    /// <returns>E.g. <c>complex64</c>.</returns>
    public static string Describe(int code) => code switch
    {
        1 => "binary",
        32 => "complex64",
        128 => "rgb24",
        1536 => "float128",
        1792 => "complex128",
        2048 => "complex256",
        2304 => "rgba32",
        _ => FromCode(code) is { } t ? t.Name() : "unknown",
    };
}
