using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Volumes;

/// <summary>
/// Direct access to the bytes of a contiguous CPU tensor, in chunks that fit a <see cref="Span{T}"/>: readers decode
/// straight into tensor memory (no intermediate array) and writers encode straight from it. The one home of raw tensor
/// bytes for volumes, the preprocessing cache and checkpoints (which add their own checks in <c>Checkpoints.TensorData</c>).
/// Elements are in the host's byte order; the library requires a little-endian host.
/// </summary>
internal static class TensorBytes
{
    private const long ChunkBytes = 1L << 28;

    /// <summary>Calls <paramref name="action"/> on consecutive byte spans covering the whole tensor (a view: writes go to the tensor).</summary>
    public static void ForEachChunk(Tensor tensor, SpanAction action)
    {
        if (!tensor.is_contiguous() || tensor.device_type != DeviceType.CPU)
        {
            throw new InvalidOperationException("TensorBytes needs a contiguous CPU tensor.");
        }

        var elementSize = tensor.element_size();
        var total = tensor.numel();
        if (total == 0)
        {
            return;
        }

        if (total * elementSize <= ChunkBytes)
        {
            action(tensor.bytes);
            return;
        }

        using var flat = tensor.view(-1);
        var perChunk = ChunkBytes / elementSize;
        for (long start = 0; start < total; start += perChunk)
        {
            using var part = flat.narrow(0, start, Math.Min(perChunk, total - start));
            action(part.bytes);
        }
    }

    /// <summary>Writes a tensor's elements (made contiguous on the CPU first when they are not) to <paramref name="destination"/>.</summary>
    /// <param name="destination">The stream.</param>
    /// <param name="tensor">The tensor (any device and layout).</param>
    public static void Write(Stream destination, Tensor tensor)
    {
        EnsureLittleEndianHost();
        using var scope = NewDisposeScope();
        ForEachChunk(tensor.detach().cpu().contiguous(), bytes => destination.Write(bytes));
    }

    /// <summary>Fills a contiguous CPU tensor from <paramref name="source"/> until it is full or the stream ends.</summary>
    /// <param name="source">The stream.</param>
    /// <param name="target">The tensor to fill.</param>
    /// <returns>The bytes read: the tensor's byte size, or less when the stream ended first.</returns>
    public static long ReadInto(Stream source, Tensor target)
    {
        EnsureLittleEndianHost();
        long total = 0;
        var ended = false;
        ForEachChunk(target, span =>
        {
            var read = 0;
            while (!ended && read < span.Length)
            {
                var n = source.Read(span[read..]);
                ended = n <= 0;
                read += Math.Max(n, 0);
            }

            total += read;
        });
        return total;
    }

    /// <summary>Copies raw bytes (exactly the tensor's byte size) into a contiguous CPU tensor.</summary>
    /// <param name="source">The bytes.</param>
    /// <param name="target">The tensor.</param>
    public static void CopyInto(ReadOnlySpan<byte> source, Tensor target)
    {
        EnsureLittleEndianHost();
        if (source.Length != target.numel() * target.element_size())
        {
            throw new ArgumentException($"{source.Length} bytes for a tensor of {target.numel() * target.element_size()} bytes.", nameof(source));
        }

        if (source.Length > 0)
        {
            source.CopyTo(target.bytes);
        }
    }

    private static void EnsureLittleEndianHost()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Hermes.NET reads and writes tensor bytes in little-endian order and requires a little-endian host.");
        }
    }

    /// <summary>A callback over a span of tensor bytes.</summary>
    public delegate void SpanAction(Span<byte> bytes);
}
