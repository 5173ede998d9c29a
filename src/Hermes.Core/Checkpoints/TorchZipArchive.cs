using System.Globalization;
using System.IO.Compression;
using System.Text;
using TorchSharp;
using Hermes.Volumes;

namespace Hermes.Checkpoints;

/// <summary>
/// The <c>torch.save</c> zip container (PyTorch ≥ 1.6): <c>&lt;prefix&gt;/data.pkl</c> (the object graph),
/// <c>&lt;prefix&gt;/data/&lt;key&gt;</c> (raw storages), <c>&lt;prefix&gt;/byteorder</c> and <c>&lt;prefix&gt;/version</c>.
/// Every declared entry size is checked against what the archive can hold before anything is allocated, and every
/// entry is read through a bounded stream.
/// </summary>
internal sealed class TorchZipArchive : IDisposable
{
    /// <summary>The largest data.pkl accepted (1 GiB).</summary>
    public const long MaxPickleBytes = 1L << 30;

    // Deflate cannot expand more than about 1032:1.
    private const long MaxDeflateRatio = 1032;

    private readonly ZipArchive zip;
    private readonly long archiveLength;
    private readonly Dictionary<string, TorchStorage> storages = new(StringComparer.Ordinal);
    private readonly bool bigEndian;

    private TorchZipArchive(ZipArchive zip, long archiveLength, string? file, string prefix, bool bigEndian)
    {
        this.zip = zip;
        this.archiveLength = archiveLength;
        File = file;
        Prefix = prefix;
        this.bigEndian = bigEndian;
    }

    /// <summary>The file, for messages.</summary>
    public string? File { get; }

    /// <summary>The archive's record prefix, e.g. <c>checkpoint/</c>.</summary>
    public string Prefix { get; }

    /// <summary>Opens a torch.save zip archive from a seekable stream (left open).</summary>
    public static TorchZipArchive Open(Stream stream, string? file)
    {
        ZipArchive zip;
        try
        {
            zip = new ZipArchive(stream, ZipArchiveMode.Read, leaveOpen: true);
        }
        catch (InvalidDataException e)
        {
            throw new CheckpointFormatException(file, null, "zip directory", e.Message, "a readable torch.save zip archive", e);
        }

        try
        {
            string? prefix = null;
            foreach (var entry in zip.Entries)
            {
                var name = entry.FullName;
                if (name.EndsWith("/data.pkl", StringComparison.Ordinal) && name.IndexOf('/', StringComparison.Ordinal) == name.Length - "/data.pkl".Length)
                {
                    if (prefix is not null)
                    {
                        throw new CheckpointFormatException(file, name, "data.pkl", "a second data.pkl", "exactly one <prefix>/data.pkl record");
                    }

                    prefix = name[..^"data.pkl".Length];
                }
            }

            if (prefix is null)
            {
                var hint = zip.Entries.Any(e => e.FullName.EndsWith("constants.pkl", StringComparison.Ordinal))
                    ? "a torch.save checkpoint; this looks like a TorchScript archive (torch.jit.save), which is not supported"
                    : "a torch.save zip archive with a <prefix>/data.pkl record";
                throw new CheckpointFormatException(file, null, "data.pkl", "no such record", hint);
            }

            var archive = new TorchZipArchive(zip, stream.Length, file, prefix, bigEndian: false);
            var byteOrder = zip.GetEntry(prefix + "byteorder");
            if (byteOrder is not null)
            {
                var text = Encoding.ASCII.GetString(archive.ReadEntry(byteOrder, 16)).Trim();
                if (text is not ("little" or "big"))
                {
                    throw new CheckpointFormatException(file, byteOrder.FullName, "byteorder", text, "'little' or 'big'");
                }

                if (text == "big")
                {
                    archive = new TorchZipArchive(zip, stream.Length, file, prefix, bigEndian: true);
                }
            }

            return archive;
        }
        catch
        {
            zip.Dispose();
            throw;
        }
    }

    /// <summary>Reads the data.pkl bytes.</summary>
    public byte[] ReadPickle()
    {
        var entry = zip.GetEntry(Prefix + "data.pkl")!;
        return ReadEntry(entry, MaxPickleBytes);
    }

    /// <summary>Unpickles the given pickle bytes against this archive's storages.</summary>
    /// <param name="pickle">The pickle (normally <see cref="ReadPickle"/>).</param>
    /// <param name="created">Receives every tensor created (views and storages).</param>
    public object? Unpickle(byte[] pickle, List<torch.Tensor> created)
    {
        var unpickler = new RestrictedUnpickler(pickle, File, Prefix + "data.pkl", LoadStorage, created);
        return unpickler.Load();
    }

    /// <summary>Disposes the storages' own handles (views created from them keep their memory alive).</summary>
    public void Dispose()
    {
        foreach (var s in storages.Values)
        {
            s.Data.Dispose();
        }

        storages.Clear();
        zip.Dispose();
    }

    private TorchStorage LoadStorage(object?[] pid)
    {
        if (pid.Length != 5 || pid[0] is not "storage" || pid[1] is not TorchStorageType type || pid[2] is not string key
            || pid[3] is not string || pid[4] is not long numel)
        {
            throw new CheckpointFormatException(File, Prefix + "data.pkl", "persistent id", $"a tuple of {pid.Length} items",
                "('storage', torch.<Type>Storage, key, location, numel)");
        }

        var entryName = Prefix + "data/" + key;
        if (storages.TryGetValue(key, out var cached))
        {
            if (cached.Data.dtype != type.ScalarType || cached.Data.shape[0] != numel)
            {
                throw new CheckpointFormatException(File, entryName, "storage", $"{type.Name} of {numel} elements",
                    $"the same type and length as its first use ({cached.Data.dtype}, {cached.Data.shape[0]} elements)");
            }

            return cached;
        }

        var entry = zip.GetEntry(entryName)
            ?? throw new CheckpointFormatException(File, entryName, "storage", "no such record", "a storage record for every tensor");
        var elementSize = TorchStorageType.ElementSize(type.ScalarType);
        if (numel < 0 || numel > entry.Length / elementSize || numel * elementSize != entry.Length)
        {
            throw new CheckpointFormatException(File, entryName, "numel", numel.ToString(CultureInfo.InvariantCulture),
                $"{type.Name} elements filling the record's {entry.Length} bytes ({elementSize} bytes each)");
        }

        CheckDeclaredLength(entry, long.MaxValue);
        // The archive owns its storages (disposed with it), whatever dispose scope the caller has open.
        var data = torch.empty([numel], type.ScalarType, device: torch.CPU).DetachFromDisposeScope();
        try
        {
            using var stream = OpenEntry(entry);
            if (bigEndian && elementSize > 1)
            {
                ReadBigEndian(stream, data, entry, elementSize);
            }
            else
            {
                TensorData.ReadInto(stream, data, File, entryName);
            }

            EnsureEnd(stream, entry);
        }
        catch
        {
            data.Dispose();
            throw;
        }

        var storage = new TorchStorage(key, data);
        storages.Add(key, storage);
        return storage;
    }

    private void ReadBigEndian(Stream stream, torch.Tensor data, ZipArchiveEntry entry, int elementSize)
    {
        if (entry.Length > int.MaxValue)
        {
            throw new CheckpointFormatException(File, entry.FullName, "byteorder", "big", "a little-endian archive for storages over 2 GiB");
        }

        var bytes = new byte[entry.Length];
        ReadExactly(stream, bytes, entry);
        for (var i = 0; i < bytes.Length; i += elementSize)
        {
            Array.Reverse(bytes, i, elementSize);
        }

        TensorBytes.CopyInto(bytes, data);
    }

    internal byte[] ReadEntry(ZipArchiveEntry entry, long limit)
    {
        CheckDeclaredLength(entry, limit);
        var bytes = new byte[entry.Length];
        using var stream = OpenEntry(entry);
        ReadExactly(stream, bytes, entry);
        EnsureEnd(stream, entry);
        return bytes;
    }

    private void CheckDeclaredLength(ZipArchiveEntry entry, long limit)
    {
        var bound = entry.CompressedLength == entry.Length ? archiveLength : Math.Min(archiveLength, entry.CompressedLength) * MaxDeflateRatio;
        if (entry.Length < 0 || entry.Length > Math.Min(limit, bound) || (limit != long.MaxValue && entry.Length > Array.MaxLength))
        {
            throw new CheckpointFormatException(File, entry.FullName, "uncompressed length", entry.Length.ToString(CultureInfo.InvariantCulture),
                $"at most {Math.Min(limit, bound)} bytes (what the archive can hold)");
        }
    }

    private Stream OpenEntry(ZipArchiveEntry entry)
    {
        try
        {
            return entry.Open();
        }
        catch (InvalidDataException e)
        {
            throw new CheckpointFormatException(File, entry.FullName, "zip entry", e.Message, "a readable zip record", e);
        }
    }

    private void ReadExactly(Stream stream, byte[] bytes, ZipArchiveEntry entry)
    {
        var read = 0;
        while (read < bytes.Length)
        {
            var n = stream.Read(bytes, read, bytes.Length - read);
            if (n <= 0)
            {
                throw new CheckpointFormatException(File, entry.FullName, "data", $"{read} bytes", $"{bytes.Length} bytes (truncated record)");
            }

            read += n;
        }
    }

    private void EnsureEnd(Stream stream, ZipArchiveEntry entry)
    {
        Span<byte> one = stackalloc byte[1];
        if (stream.Read(one) != 0)
        {
            throw new CheckpointFormatException(File, entry.FullName, "data", "more bytes than declared", $"{entry.Length} bytes");
        }
    }
}
