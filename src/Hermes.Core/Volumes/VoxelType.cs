namespace Hermes.Volumes;

/// <summary>
/// A voxel data type, as stored on disk. In memory a <see cref="Volume"/> holds one of the LibTorch types; unsigned
/// types LibTorch lacks are widened losslessly (<see cref="UInt16"/> → int32, <see cref="UInt32"/> → int64).
/// </summary>
public enum VoxelType
{
    /// <summary>Unsigned 8-bit integer (NIfTI 2, uchar).</summary>
    UInt8,

    /// <summary>Signed 8-bit integer (NIfTI 256).</summary>
    Int8,

    /// <summary>Signed 16-bit integer (NIfTI 4).</summary>
    Int16,

    /// <summary>Unsigned 16-bit integer (NIfTI 512); int32 in memory.</summary>
    UInt16,

    /// <summary>Signed 32-bit integer (NIfTI 8).</summary>
    Int32,

    /// <summary>Unsigned 32-bit integer (NIfTI 768); int64 in memory.</summary>
    UInt32,

    /// <summary>Signed 64-bit integer (NIfTI 1024).</summary>
    Int64,

    /// <summary>Unsigned 64-bit integer (NIfTI 1280); int64 in memory, values above <see cref="long.MaxValue"/> are rejected.</summary>
    UInt64,

    /// <summary>32-bit IEEE float (NIfTI 16).</summary>
    Float32,

    /// <summary>64-bit IEEE float (NIfTI 64).</summary>
    Float64,
}
