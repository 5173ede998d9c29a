using Hermes.Volumes;
using TorchSharp;

namespace Hermes.Checkpoints;

/// <summary>
/// Reads a checkpoint tensor's raw little-endian elements (through <see cref="TensorBytes"/>) and checks what a checkpoint
/// file may get wrong: data shorter than the tensor (a truncated file) and booleans stored as other than 0 or 1.
/// </summary>
internal static class TensorData
{
    /// <summary>Fills a freshly allocated contiguous CPU tensor with exactly its byte size read from <paramref name="source"/>.</summary>
    /// <exception cref="CheckpointFormatException">The data ends early or holds invalid booleans; names the file and entry.</exception>
    public static void ReadInto(Stream source, torch.Tensor target, string? filePath, string key)
    {
        var expected = target.numel() * target.element_size();
        var read = TensorBytes.ReadInto(source, target);
        if (read < expected)
        {
            throw new CheckpointFormatException(filePath, key, "data", $"{read} bytes", $"{expected} bytes of tensor data (file truncated)");
        }

        if (target.dtype == torch.ScalarType.Bool)
        {
            var invalid = false;
            TensorBytes.ForEachChunk(target, span => invalid |= span.IndexOfAnyInRange((byte)2, (byte)255) >= 0);
            if (invalid)
            {
                throw new CheckpointFormatException(filePath, key, "data", "a boolean byte other than 0 or 1", "booleans stored as 0 or 1");
            }
        }
    }
}
