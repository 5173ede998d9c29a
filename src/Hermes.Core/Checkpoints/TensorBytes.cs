using TorchSharp;

namespace Hermes.Checkpoints;

/// <summary>Moves raw little-endian element bytes between streams and contiguous CPU tensors, in bounded chunks.</summary>
internal static class TensorBytes
{
    private const long ChunkBytes = 1L << 26;

    /// <summary>Fills a freshly allocated contiguous CPU tensor with exactly its byte size read from <paramref name="source"/>.</summary>
    public static void ReadInto(Stream source, torch.Tensor target, string? filePath, string key)
    {
        EnsureLittleEndianHost();
        var elementSize = target.ElementSize;
        var total = target.numel();
        if (total == 0)
        {
            return;
        }

        using var flat = target.view(-1);
        var perChunk = Math.Max(1, ChunkBytes / elementSize);
        for (long start = 0; start < total; start += perChunk)
        {
            var count = Math.Min(perChunk, total - start);
            using var chunk = flat.narrow(0, start, count);
            var span = chunk.bytes;
            var read = 0;
            while (read < span.Length)
            {
                var n = source.Read(span[read..]);
                if (n <= 0)
                {
                    throw new CheckpointFormatException(filePath, key, "data", $"{(start * elementSize) + read} bytes",
                        $"{total * elementSize} bytes of tensor data (file truncated)");
                }

                read += n;
            }

            if (target.dtype == torch.ScalarType.Bool && span.IndexOfAnyInRange((byte)2, (byte)255) >= 0)
            {
                throw new CheckpointFormatException(filePath, key, "data", "a boolean byte other than 0 or 1", "booleans stored as 0 or 1");
            }
        }
    }

    /// <summary>Writes a tensor's elements (made contiguous on the CPU) to <paramref name="destination"/>.</summary>
    public static void Write(Stream destination, torch.Tensor tensor)
    {
        EnsureLittleEndianHost();
        using var scope = torch.NewDisposeScope();
        var cpu = tensor.detach().cpu().contiguous();
        var total = cpu.numel();
        if (total == 0)
        {
            return;
        }

        var elementSize = cpu.ElementSize;
        var flat = cpu.view(-1);
        var perChunk = Math.Max(1, ChunkBytes / elementSize);
        for (long start = 0; start < total; start += perChunk)
        {
            var count = Math.Min(perChunk, total - start);
            using var chunk = flat.narrow(0, start, count);
            destination.Write(chunk.bytes);
        }
    }

    /// <summary>Copies raw bytes into a freshly allocated contiguous CPU tensor of matching byte size.</summary>
    public static void CopyInto(ReadOnlySpan<byte> source, torch.Tensor target)
    {
        EnsureLittleEndianHost();
        if (target.numel() == 0)
        {
            return;
        }

        source.CopyTo(target.bytes);
    }

    private static void EnsureLittleEndianHost()
    {
        if (!BitConverter.IsLittleEndian)
        {
            throw new PlatformNotSupportedException("Checkpoint I/O requires a little-endian host.");
        }
    }
}
