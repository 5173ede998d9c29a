using static TorchSharp.torch;

namespace Hermes.Volumes;

/// <summary>Sizes, names and in-memory (LibTorch) types of <see cref="VoxelType"/> values.</summary>
public static class VoxelTypeInfo
{
    /// <summary>Bytes per voxel on disk.</summary>
    /// <param name="type">The voxel type.</param>
    /// <returns>1, 2, 4 or 8.</returns>
    public static int SizeInBytes(this VoxelType type) => type switch
    {
        VoxelType.UInt8 or VoxelType.Int8 => 1,
        VoxelType.Int16 or VoxelType.UInt16 => 2,
        VoxelType.Int32 or VoxelType.UInt32 or VoxelType.Float32 => 4,
        VoxelType.Int64 or VoxelType.UInt64 or VoxelType.Float64 => 8,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown voxel type."),
    };

    /// <summary>Whether the type holds integers (label maps are integer volumes).</summary>
    /// <param name="type">The voxel type.</param>
    /// <returns><see langword="true"/> for every integer type.</returns>
    public static bool IsInteger(this VoxelType type) => type is not (VoxelType.Float32 or VoxelType.Float64);

    /// <summary>The lower-case name used in reports and <c>hermes info</c> (<c>uint8</c>, <c>int16</c>, <c>float32</c>, …).</summary>
    /// <param name="type">The voxel type.</param>
    /// <returns>The name.</returns>
    public static string Name(this VoxelType type) => type switch
    {
        VoxelType.UInt8 => "uint8",
        VoxelType.Int8 => "int8",
        VoxelType.Int16 => "int16",
        VoxelType.UInt16 => "uint16",
        VoxelType.Int32 => "int32",
        VoxelType.UInt32 => "uint32",
        VoxelType.Int64 => "int64",
        VoxelType.UInt64 => "uint64",
        VoxelType.Float32 => "float32",
        VoxelType.Float64 => "float64",
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown voxel type."),
    };

    /// <summary>The LibTorch element type that holds this type in memory without loss.</summary>
    /// <param name="type">The voxel type.</param>
    /// <returns>The scalar type of <see cref="Volume.Data"/> for a volume read from this type (before intensity scaling).</returns>
    public static ScalarType MemoryType(this VoxelType type) => type switch
    {
        VoxelType.UInt8 => ScalarType.Byte,
        VoxelType.Int8 => ScalarType.Int8,
        VoxelType.Int16 => ScalarType.Int16,
        VoxelType.UInt16 or VoxelType.Int32 => ScalarType.Int32,
        VoxelType.UInt32 or VoxelType.Int64 or VoxelType.UInt64 => ScalarType.Int64,
        VoxelType.Float32 => ScalarType.Float32,
        VoxelType.Float64 => ScalarType.Float64,
        _ => throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown voxel type."),
    };

    /// <summary>The voxel type that corresponds to a LibTorch element type.</summary>
    /// <param name="type">A scalar type.</param>
    /// <returns>The voxel type.</returns>
    /// <exception cref="NotSupportedException">The scalar type has no voxel type (bool, half, complex…).</exception>
    public static VoxelType FromScalarType(ScalarType type) => type switch
    {
        ScalarType.Byte => VoxelType.UInt8,
        ScalarType.Int8 => VoxelType.Int8,
        ScalarType.Int16 => VoxelType.Int16,
        ScalarType.Int32 => VoxelType.Int32,
        ScalarType.Int64 => VoxelType.Int64,
        ScalarType.Float32 => VoxelType.Float32,
        ScalarType.Float64 => VoxelType.Float64,
        _ => throw new NotSupportedException($"Tensor element type {type} cannot be stored as a volume; convert to uint8, int8, int16, int32, int64, float32 or float64."),
    };
}
