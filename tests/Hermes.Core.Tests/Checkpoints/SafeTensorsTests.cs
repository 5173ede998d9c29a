using System.Buffers.Binary;
using System.Text;
using System.Text.Json;
using Hermes.Checkpoints;
using Hermes.Testing;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Core.Tests.Checkpoints;

public sealed class SafeTensorsTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "hermes-st-" + Guid.NewGuid().ToString("N"));

    public SafeTensorsTests() => Directory.CreateDirectory(folder);

    public void Dispose() => Directory.Delete(folder, recursive: true);

    public static TheoryData<string, string> FixtureFiles => new()
    {
        { "hermes_r_small", "weights.safetensors" },
        { "hermes_r_small", "io.safetensors" },
        { "hermes_m_small", "weights.safetensors" },
        { "hermes_m_small", "io.safetensors" },
    };

    [SkippableTheory]
    [MemberData(nameof(FixtureFiles))]
    public void FixtureLoadsWithTheHeadersKeysDtypesShapesAndBytes(string fixture, string file)
    {
        var path = Path.Combine(SharedAssets.RequireFixture(fixture), file);
        var raw = File.ReadAllBytes(path);
        var headerLength = (int)BinaryPrimitives.ReadUInt64LittleEndian(raw);
        using var header = JsonDocument.Parse(raw.AsMemory(8, headerLength));
        var expected = header.RootElement.EnumerateObject().Where(p => p.Name != "__metadata__").ToList();

        var tensors = SafeTensors.Load(path);
        try
        {
            Assert.Equal(expected.Count, tensors.Count);
            Assert.Equal(expected.Select(p => p.Name), tensors.Keys);
            foreach (var p in expected)
            {
                var t = tensors[p.Name];
                var dtype = p.Value.GetProperty("dtype").GetString();
                Assert.Equal(dtype switch { "F32" => ScalarType.Float32, "I64" => ScalarType.Int64, "I8" => ScalarType.Int8, _ => throw new InvalidOperationException(dtype) }, t.dtype);
                Assert.Equal(p.Value.GetProperty("shape").EnumerateArray().Select(e => e.GetInt64()), t.shape);
                var begin = p.Value.GetProperty("data_offsets")[0].GetInt32();
                var end = p.Value.GetProperty("data_offsets")[1].GetInt32();
                Assert.True(raw.AsSpan(8 + headerLength + begin, end - begin).SequenceEqual(t.bytes), $"bytes of {p.Name}");
            }

            Assert.Empty(SafeTensors.ReadMetadata(path));
        }
        finally
        {
            foreach (var t in tensors.Values)
            {
                t.Dispose();
            }
        }
    }

    [Fact]
    public void RoundTripIsBitExactForEveryDtypeWithMetadata()
    {
        using var scope = NewDisposeScope();
        var gen = new Generator(1234);
        var tensors = new Dictionary<string, Tensor>
        {
            ["f64"] = randn([3, 4], dtype: float64, generator: gen),
            ["f32"] = randn([2, 3, 4], generator: gen),
            ["f16"] = randn([5], generator: gen).to(float16),
            ["bf16"] = randn([7, 2], generator: gen).to(bfloat16),
            ["i64"] = randint(long.MinValue / 4, long.MaxValue / 4, [6], dtype: int64, generator: gen),
            ["i32"] = randint(int.MinValue, int.MaxValue, [2, 2], dtype: int32, generator: gen),
            ["i16"] = randint(short.MinValue, short.MaxValue, [9], dtype: int16, generator: gen),
            ["i8"] = randint(-128, 127, [4, 1], dtype: int8, generator: gen),
            ["u8"] = randint(0, 255, [3], dtype: uint8, generator: gen),
            ["bool"] = randn([2, 5], generator: gen) > 0,
            ["scalar"] = tensor(3.5f),
            ["empty"] = zeros([0, 3]),
            ["strided"] = randn([4, 6], generator: gen).t(),
            ["décodeur.bloc+1"] = ones(2),
        };
        var metadata = new Dictionary<string, string> { ["format"] = "pt", ["note"] = "ünïcode ✓" };
        var path = Path.Combine(folder, "all.safetensors");

        SafeTensors.Save(path, tensors, metadata);
        var loaded = SafeTensors.Load(path);

        Assert.Equal(tensors.Keys, loaded.Keys);
        foreach (var (name, original) in tensors)
        {
            var back = loaded[name];
            Assert.Equal(original.dtype, back.dtype);
            Assert.Equal(original.shape, back.shape);
            Assert.True(original.contiguous().bytes.SequenceEqual(back.bytes), $"bytes of {name}");
            back.Dispose();
        }

        Assert.Equal(metadata, SafeTensors.ReadMetadata(path));
        Assert.Contains("\"décodeur.bloc+1\"", System.Text.Encoding.UTF8.GetString(File.ReadAllBytes(path).AsSpan(8, 1024)));
        Assert.Empty(Directory.GetFiles(folder, "*.tmp"));
        Assert.Equal(0, (new FileInfo(path).Length - 8 - SafeTensors.ReadEntries(path).Sum(e => e.ByteLength)) % 8);
    }

    [Fact]
    public void SaveRejectsUnsupportedDtypeAndLeavesNoFile()
    {
        using var c = zeros([2], dtype: complex64);
        var path = Path.Combine(folder, "bad.safetensors");
        var e = Assert.Throws<ArgumentException>(() => SafeTensors.Save(path, new Dictionary<string, Tensor> { ["c"] = c }));
        Assert.Contains("'c'", e.Message);
        Assert.Empty(Directory.GetFiles(folder));
    }

    public static TheoryData<string, string, string> BadHeaders => new()
    {
        { """{"a":{"dtype":"F33","shape":[2],"data_offsets":[0,8]}}""", "'a'", "dtype" },
        { """{"a":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}}""", "'a'", "shape" },
        { """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,8]}}""", "'a'", "data_offsets" },
        { """{"a":{"dtype":"F32","shape":[2],"data_offsets":[8,16]}}""", "'a'", "data_offsets" },
        { """{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},"b":{"dtype":"F32","shape":[1],"data_offsets":[2,6]}}""", "'b'", "overlapping" },
        { """{"a":{"dtype":"F32","shape":[1000000000000],"data_offsets":[0,8]}}""", "'a'", "shape" },
        { """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}""", "header", "JSON" },
        { """[1,2]""", "header", "JSON object" },
        { """{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", "'a'", "unique" },
        { """{"__metadata__":{"x":1},"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}}""", "__metadata__", "string" },
    };

    [Theory]
    [MemberData(nameof(BadHeaders))]
    public void MalformedHeaderThrowsNamingKeyAndField(string json, string mustContain1, string mustContain2)
    {
        var path = Path.Combine(folder, "bad.safetensors");
        File.WriteAllBytes(path, Build(json, new byte[8]));
        var e = Assert.Throws<CheckpointFormatException>(() => SafeTensors.Load(path));
        Assert.Contains(path, e.Message);
        Assert.Contains(mustContain1, e.Message);
        Assert.Contains(mustContain2, e.Message);
    }

    [Fact]
    public void BooleanBytesOtherThanZeroOrOneAreRejected()
    {
        var path = Path.Combine(folder, "bool.safetensors");
        File.WriteAllBytes(path, Build("""{"m":{"dtype":"BOOL","shape":[4],"data_offsets":[0,4]}}""", [1, 0, 7, 1]));
        var e = Assert.Throws<CheckpointFormatException>(() => SafeTensors.Load(path));
        Assert.Contains("'m'", e.Message);

        File.WriteAllBytes(path, Build("""{"m":{"dtype":"BOOL","shape":[4],"data_offsets":[0,4]}}""", [1, 0, 0, 1]));
        using var scope = NewDisposeScope();
        Assert.Equal(new[] { true, false, false, true }, SafeTensors.Load(path)["m"].data<bool>().ToArray());
    }

    [Fact]
    public void HeaderLengthBeyondTheFileIsRejectedBeforeAllocating()
    {
        var path = Path.Combine(folder, "huge.safetensors");
        var bytes = new byte[16];
        BinaryPrimitives.WriteUInt64LittleEndian(bytes, ulong.MaxValue - 3);
        File.WriteAllBytes(path, bytes);
        var e = Assert.Throws<CheckpointFormatException>(() => SafeTensors.Load(path));
        Assert.Contains("header length", e.Message);

        File.WriteAllBytes(path, new byte[5]);
        Assert.Throws<CheckpointFormatException>(() => SafeTensors.Load(path));
    }

    private static byte[] Build(string json, byte[] data)
    {
        var header = Encoding.UTF8.GetBytes(json);
        var result = new byte[8 + header.Length + data.Length];
        BinaryPrimitives.WriteUInt64LittleEndian(result, (ulong)header.Length);
        header.CopyTo(result, 8);
        data.CopyTo(result, 8 + header.Length);
        return result;
    }
}
