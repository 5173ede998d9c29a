using Hermes.Volumes;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.IO;

/// <summary>Chooses the on-disk voxel type of a written volume and converts the data to its disk layout.</summary>
internal static class VoxelTypeSelection
{
    /// <summary>
    /// The requested type, or for labels the smallest of uint8 / int16 / int32 that holds the values, or the volume's
    /// on-disk type when it holds the in-memory values (uint16 read → uint16 written), else the in-memory type.
    /// </summary>
    public static VoxelType Choose(Volume volume, VolumeWriteOptions options)
    {
        var data = volume.Data;
        if (options.DataType is { } requested)
        {
            return requested;
        }

        var memory = volume.VoxelType;
        if (options.IsLabel)
        {
            if (!memory.IsInteger())
            {
                using var fractional = data.frac().abs().gt(0).any();
                using var nonFinite = data.isfinite().logical_not().any();
                if (fractional.item<bool>() || nonFinite.item<bool>())
                {
                    throw new ArgumentException("A label map must hold integer values; this volume has fractional or non-finite values.", nameof(volume));
                }
            }

            var (min, max) = Range(data);
            return min >= 0 && max <= 255 ? VoxelType.UInt8
                : min >= short.MinValue && max <= short.MaxValue ? VoxelType.Int16
                : VoxelType.Int32;
        }

        var disk = volume.Metadata.DiskType;
        if (disk != memory && disk.IsInteger() && memory.IsInteger() && volume.Metadata.ScaleSlope == 1 && volume.Metadata.ScaleIntercept == 0)
        {
            var (min, max) = Range(data);
            var fits = disk switch
            {
                VoxelType.UInt16 => min >= 0 && max <= ushort.MaxValue,
                VoxelType.UInt32 => min >= 0 && max <= uint.MaxValue,
                VoxelType.UInt64 => min >= 0,
                _ => false,
            };
            if (fits)
            {
                return disk;
            }
        }

        return memory;
    }

    /// <summary>The data as a contiguous CPU tensor whose bytes are the little-endian on-disk voxels (disposed by the caller's scope).</summary>
    public static Tensor ToDiskLayout(Tensor data, VoxelType type)
    {
        var cpu = data.device_type == DeviceType.CPU ? data : data.cpu();
        var storage = type switch
        {
            VoxelType.UInt16 => ScalarType.Int16,
            VoxelType.UInt32 => ScalarType.Int32,
            _ => type.MemoryType(),
        };
        var converted = cpu.dtype == storage ? cpu : cpu.to(storage);
        return converted.contiguous();
    }

    private static (double Min, double Max) Range(Tensor data)
    {
        if (data.numel() == 0)
        {
            return (0, 0);
        }

        using var min = data.min();
        using var max = data.max();
        return (min.ToDouble(), max.ToDouble());
    }
}
