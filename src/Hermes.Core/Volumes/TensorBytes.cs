using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Volumes;

/// <summary>
/// Direct access to the bytes of a contiguous CPU tensor, in chunks that fit a <see cref="Span{T}"/>: readers decode
/// straight into tensor memory (no intermediate array) and writers encode straight from it.
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

    /// <summary>A callback over a span of tensor bytes.</summary>
    public delegate void SpanAction(Span<byte> bytes);
}
