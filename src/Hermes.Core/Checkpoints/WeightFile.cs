using System.Buffers.Binary;
using TorchSharp;

namespace Hermes.Checkpoints;

/// <summary>The container formats <see cref="WeightFile"/> recognises.</summary>
public enum WeightFileFormat
{
    /// <summary>Not recognised.</summary>
    Unknown,

    /// <summary>A safetensors file.</summary>
    SafeTensors,

    /// <summary>A <c>torch.save</c> zip archive (<c>.pt</c>/<c>.pth</c>, PyTorch ≥ 1.6).</summary>
    PyTorchZip,

    /// <summary>The legacy (pre-1.6) <c>torch.save</c> pickle stream, which is not supported.</summary>
    PyTorchLegacy,
}

/// <summary>Loads a state dict from a weight file, choosing the reader by the file's magic bytes (not its extension).</summary>
public static class WeightFile
{
    /// <summary>Identifies a weight file's format from its first bytes.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The format.</returns>
    public static WeightFileFormat Detect(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        Span<byte> head = stackalloc byte[9];
        var n = stream.ReadAtLeast(head, head.Length, throwOnEndOfStream: false);
        head = head[..n];
        if (n >= 4 && head[0] == (byte)'P' && head[1] == (byte)'K' && head[2] == 3 && head[3] == 4)
        {
            return WeightFileFormat.PyTorchZip;
        }

        if (n >= 2 && head[0] == 0x80 && head[1] <= 5)
        {
            return WeightFileFormat.PyTorchLegacy;
        }

        if (n == 9 && head[8] == (byte)'{' && BinaryPrimitives.ReadUInt64LittleEndian(head) <= (ulong)Math.Max(0, stream.Length - 8))
        {
            return WeightFileFormat.SafeTensors;
        }

        return WeightFileFormat.Unknown;
    }

    /// <summary>
    /// Loads a state dict: a safetensors file as a whole, or a <c>torch.save</c> zip file through
    /// <see cref="PyTorchCheckpoint.ReadStateDict(string, string?)"/> (with its entry selection).
    /// </summary>
    /// <param name="path">The file.</param>
    /// <param name="entry">For a PyTorch checkpoint, the entry holding the state dict (<see langword="null"/>: automatic). Must be <see langword="null"/> for safetensors.</param>
    /// <returns>The tensors by name. The caller owns them.</returns>
    /// <exception cref="CheckpointFormatException">The format is not recognised or the file is invalid.</exception>
    public static IReadOnlyDictionary<string, torch.Tensor> Load(string path, string? entry = null)
    {
        switch (Detect(path))
        {
            case WeightFileFormat.SafeTensors:
                if (entry is not null)
                {
                    throw new CheckpointFormatException(path, entry, "entry", entry, "no entry name for a safetensors file (it holds one flat state dict)");
                }

                return SafeTensors.Load(path);
            case WeightFileFormat.PyTorchZip:
                return PyTorchCheckpoint.ReadStateDict(path, entry);
            case WeightFileFormat.PyTorchLegacy:
                throw new CheckpointFormatException(path, null, "format", "a legacy torch.save pickle stream (PyTorch < 1.6)",
                    "a zip-format checkpoint: re-save it with a current PyTorch (torch.save(obj, path)) or export safetensors");
            default:
                throw new CheckpointFormatException(path, null, "format", "unrecognised leading bytes",
                    "a safetensors file or a torch.save zip archive (.pt/.pth)");
        }
    }
}
