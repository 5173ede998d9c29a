using System.Buffers.Binary;
using System.Runtime.InteropServices;
using Hermes.Volumes;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.IO;

/// <summary>
/// Decodes raw voxel bytes from a stream straight into a new tensor (no intermediate array), swapping bytes for
/// big-endian files and widening unsigned types LibTorch lacks. Shared by every raw-data format.
/// </summary>
internal static class VoxelDecoder
{
    /// <summary>Reads <c>prod(shape)</c> voxels of <paramref name="type"/>; <paramref name="shape"/> is the row-major tensor shape.</summary>
    public static Tensor Read(Stream stream, VoxelType type, bool bigEndian, long[] shape, string file)
    {
        var storage = type switch
        {
            VoxelType.UInt16 => ScalarType.Int16,
            VoxelType.UInt32 => ScalarType.Int32,
            _ => type.MemoryType(),
        };
        var raw = torch.empty(shape, storage);
        try
        {
            long done = 0;
            var expected = raw.numel() * type.SizeInBytes();
            TensorBytes.ForEachChunk(raw, span =>
            {
                HugePages.Advise(span);
                var got = ReadFully(stream, span, file);
                done += got;
                if (got < span.Length)
                {
                    throw new VolumeFormatException(file, "voxel data", $"{done} bytes", $"{expected} bytes (file truncated)");
                }

                if (bigEndian && type.SizeInBytes() > 1)
                {
                    Swap(span, type.SizeInBytes());
                }
            });
        }
        catch
        {
            raw.Dispose();
            throw;
        }

        return Widen(raw, type, file);
    }

    /// <summary>Reads until <paramref name="span"/> is full or the stream ends; gzip/zlib corruption becomes a <see cref="VolumeFormatException"/>.</summary>
    public static int ReadFully(Stream stream, Span<byte> span, string file)
    {
        var total = 0;
        try
        {
            while (total < span.Length)
            {
                var n = stream.Read(span[total..]);
                if (n == 0)
                {
                    break;
                }

                total += n;
            }
        }
        catch (InvalidDataException e)
        {
            throw new VolumeFormatException(file, "compressed stream", "corrupt data", "a valid gzip/zlib stream", e);
        }

        return total;
    }

    /// <summary>Skips <paramref name="count"/> bytes (seeks when possible).</summary>
    public static void Skip(Stream stream, long count, string file, string field)
    {
        if (count <= 0)
        {
            return;
        }

        if (stream.CanSeek)
        {
            if (stream.Position + count > stream.Length)
            {
                throw new VolumeFormatException(file, field, $"offset {stream.Position + count}", $"an offset within the file ({stream.Length} bytes)");
            }

            stream.Seek(count, SeekOrigin.Current);
            return;
        }

        var buffer = new byte[(int)Math.Min(count, 1 << 16)];
        while (count > 0)
        {
            var n = ReadFully(stream, buffer.AsSpan(0, (int)Math.Min(count, buffer.Length)), file);
            if (n == 0)
            {
                throw new VolumeFormatException(file, field, "end of file", $"{count} more bytes before the voxel data");
            }

            count -= n;
        }
    }

    /// <summary>Rejects a voxel count before allocation: over the limit, or more bytes than the file can hold (deflate expands at most ~1032×).</summary>
    public static void CheckBudget(string file, string field, long voxels, int bytesPerVoxel, long availableBytes, bool compressed, long maxVoxels)
    {
        if (voxels <= 0 || voxels > maxVoxels)
        {
            throw new VolumeFormatException(file, field, $"{voxels} voxels", $"at most {maxVoxels} voxels ({VolumeFormatException.SettingName(VolumeReadSetting.MaxVoxels)})")
            {
                Setting = VolumeReadSetting.MaxVoxels,
            };
        }

        var needed = voxels * bytesPerVoxel;
        var capacity = compressed ? (availableBytes * 1100) + 4096 : availableBytes;
        if (needed > capacity)
        {
            throw new VolumeFormatException(file, field, $"{voxels} voxels ({needed} bytes)", compressed
                ? $"a size the {availableBytes}-byte compressed file can hold"
                : $"at most {availableBytes} bytes of voxel data in the file (dims disagree with the file size)");
        }
    }

    /// <summary>Multiplies dimensions with overflow detection.</summary>
    public static long Product(IEnumerable<long> dims, string file, string field)
    {
        long p = 1;
        foreach (var d in dims)
        {
            if (d <= 0)
            {
                throw new VolumeFormatException(file, field, d.ToString(System.Globalization.CultureInfo.InvariantCulture), "positive sizes");
            }

            try
            {
                p = checked(p * d);
            }
            catch (OverflowException)
            {
                throw new VolumeFormatException(file, field, "a voxel count beyond 2^63", "a realistic size");
            }
        }

        return p;
    }

    private static void Swap(Span<byte> span, int size)
    {
        switch (size)
        {
            case 2:
                var s = MemoryMarshal.Cast<byte, short>(span);
                BinaryPrimitives.ReverseEndianness(s, s);
                break;
            case 4:
                var i = MemoryMarshal.Cast<byte, int>(span);
                BinaryPrimitives.ReverseEndianness(i, i);
                break;
            case 8:
                var l = MemoryMarshal.Cast<byte, long>(span);
                BinaryPrimitives.ReverseEndianness(l, l);
                break;
        }
    }

    private static Tensor Widen(Tensor raw, VoxelType type, string file)
    {
        switch (type)
        {
            case VoxelType.UInt16:
                using (raw)
                {
                    using var wide = raw.to(ScalarType.Int32);
                    return wide.bitwise_and(0xFFFF);
                }

            case VoxelType.UInt32:
                using (raw)
                {
                    using var wide = raw.to(ScalarType.Int64);
                    return wide.bitwise_and(0xFFFFFFFFL);
                }

            case VoxelType.UInt64:
                using (var negative = raw.lt(0).any())
                {
                    if (negative.item<bool>())
                    {
                        raw.Dispose();
                        throw new NotSupportedException($"{file}: uint64 voxel values above {long.MaxValue} cannot be held in memory (int64).");
                    }
                }

                return raw;
            default:
                return raw;
        }
    }
}
