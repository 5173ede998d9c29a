using System.IO.Compression;

namespace Hermes.IO;

/// <summary>Opens files that may be gzip-compressed (detected by the 1F 8B magic, not by the name), with large buffers for speed.</summary>
internal static class CompressedFile
{
    private const int BufferSize = 1 << 20;

    /// <summary>Opens a file for sequential reading; returns a decompressing stream when it starts with the gzip magic.</summary>
    public static Stream OpenRead(string path, out bool compressed)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.SequentialScan);
        Span<byte> magic = stackalloc byte[2];
        var n = file.Read(magic);
        file.Position = 0;
        compressed = n == 2 && magic[0] == 0x1F && magic[1] == 0x8B;
        return compressed ? new GZipStream(file, CompressionMode.Decompress, leaveOpen: false) : file;
    }

    /// <summary>Reads up to <paramref name="count"/> leading bytes of a file, decompressed when it is gzip; corrupt gzip yields what could be read.</summary>
    public static byte[] ReadPrefix(string path, int count)
    {
        using var stream = OpenRead(path, out _);
        var buffer = new byte[count];
        var total = 0;
        try
        {
            while (total < count)
            {
                var n = stream.Read(buffer, total, count - total);
                if (n == 0)
                {
                    break;
                }

                total += n;
            }
        }
        catch (InvalidDataException)
        {
            // Detection only: the reader reports the corruption with the file and field.
        }

        return buffer[..total];
    }

    /// <summary>Opens a file for writing with a large buffer.</summary>
    public static FileStream Create(string path) => new(path, FileMode.Create, FileAccess.Write, FileShare.None, BufferSize);
}
