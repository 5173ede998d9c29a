using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;

namespace Hermes.Core.Tests.Checkpoints;

/// <summary>Builds pickle byte streams opcode by opcode (and torch.save-style zip archives around them) for tests.</summary>
internal sealed class PickleBytes
{
    private readonly MemoryStream bytes = new();

    public PickleBytes Op(byte opcode)
    {
        bytes.WriteByte(opcode);
        return this;
    }

    public PickleBytes Proto(byte version = 2) => Op(0x80).Op(version);

    public PickleBytes Mark() => Op((byte)'(');

    public PickleBytes Tuple() => Op((byte)'t');

    public PickleBytes EmptyDict() => Op((byte)'}');

    public PickleBytes EmptyTuple() => Op((byte)')');

    public PickleBytes SetItems() => Op((byte)'u');

    public PickleBytes Reduce() => Op((byte)'R');

    public PickleBytes PersId() => Op((byte)'Q');

    public PickleBytes False() => Op(0x89);

    public PickleBytes Stop() => Op((byte)'.');

    public PickleBytes Int(long value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(b, checked((int)value));
        bytes.WriteByte((byte)'J');
        bytes.Write(b);
        return this;
    }

    public PickleBytes Str(string value)
    {
        var utf8 = Encoding.UTF8.GetBytes(value);
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, (uint)utf8.Length);
        bytes.WriteByte((byte)'X');
        bytes.Write(b);
        bytes.Write(utf8);
        return this;
    }

    public PickleBytes Global(string module, string name)
    {
        bytes.WriteByte((byte)'c');
        bytes.Write(Encoding.ASCII.GetBytes($"{module}\n{name}\n"));
        return this;
    }

    public PickleBytes Ints(params long[] values)
    {
        Mark();
        foreach (var v in values)
        {
            Int(v);
        }

        return Tuple();
    }

    /// <summary>Pushes <c>_rebuild_tensor_v2(storage(key), offset, size, stride, False, OrderedDict())</c>.</summary>
    public PickleBytes Tensor(string storageKey, long storageNumel, long offset, long[] size, long[] stride, string storageType = "FloatStorage")
    {
        Global("torch._utils", "_rebuild_tensor_v2").Mark();
        Mark().Str("storage").Global("torch", storageType).Str(storageKey).Str("cpu").Int(storageNumel).Tuple().PersId();
        Int(offset).Ints(size).Ints(stride).False().Global("collections", "OrderedDict").EmptyTuple().Reduce();
        return Tuple().Reduce();
    }

    public byte[] ToArray() => bytes.ToArray();

    /// <summary>A torch.save-style zip: <c>archive/data.pkl</c>, <c>archive/byteorder</c>, <c>archive/version</c> and storages.</summary>
    public static byte[] Zip(byte[] pickle, IReadOnlyDictionary<string, byte[]>? storages = null, string prefix = "archive", string byteOrder = "little")
    {
        using var ms = new MemoryStream();
        using (var zip = new ZipArchive(ms, ZipArchiveMode.Create, leaveOpen: true))
        {
            void Add(string name, byte[] content)
            {
                var e = zip.CreateEntry($"{prefix}/{name}", CompressionLevel.NoCompression);
                using var s = e.Open();
                s.Write(content);
            }

            Add("data.pkl", pickle);
            Add("byteorder", System.Text.Encoding.ASCII.GetBytes(byteOrder));
            foreach (var (k, v) in storages ?? new Dictionary<string, byte[]>())
            {
                Add($"data/{k}", v);
            }

            Add("version", "3\n"u8.ToArray());
        }

        return ms.ToArray();
    }
}
