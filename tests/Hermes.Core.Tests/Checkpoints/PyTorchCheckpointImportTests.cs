using Hermes.Checkpoints;
using Hermes.Testing;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Core.Tests.Checkpoints;

public sealed class PyTorchCheckpointImportTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "hermes-pt-" + Guid.NewGuid().ToString("N"));

    public PyTorchCheckpointImportTests() => Directory.CreateDirectory(folder);

    public void Dispose() => Directory.Delete(folder, recursive: true);

    public static TheoryData<string, string[], string> Fixtures => new()
    {
        {
            "hermes_r_small",
            ["prior_init_fuse_2.task_prior", "prior_fuse_6.modality_prior", "out.classifier_pred.0.fc1.weight", "mod_out.classifier.fc1.weight"],
            "inc.conv1.weight"
        },
        {
            "hermes_m_small",
            ["down2.prior_selection.task_prior", "up2.prior_selection.modality_prior", "out_classifier.classifier_pred.0.fc1.weight", "mod_out.classifier.fc1.weight"],
            "down1.conv_blocks.0.conv1.conv.weight"
        },
    };

    [SkippableTheory]
    [MemberData(nameof(Fixtures))]
    public void EmaEntryEqualsWeightsSafetensorsBitForBitAndLiveEntryDiffers(string fixture, string[] perturbed, string untouched)
    {
        var dir = SharedAssets.RequireFixture(fixture);
        using var scope = NewDisposeScope();
        var weights = SafeTensors.Load(Path.Combine(dir, "weights.safetensors"));
        var pth = Path.Combine(dir, "checkpoint.pth");

        var ema = PyTorchCheckpoint.ReadStateDict(pth);
        AssertBitEqual(weights, ema);
        AssertBitEqual(weights, PyTorchCheckpoint.ReadStateDict(pth, "ema_model_state_dict"));
        AssertBitEqual(weights, WeightFile.Load(pth));

        var live = PyTorchCheckpoint.ReadStateDict(pth, "model_state_dict");
        Assert.Equal(weights.Keys.Order(), live.Keys.Order());
        foreach (var key in perturbed)
        {
            Assert.Equal(weights[key].shape, live[key].shape);
            var diff = (live[key] - weights[key]).abs().max().item<float>();
            Assert.True(diff > 1e-3f, $"{key} should be perturbed in model_state_dict (max |diff| {diff})");
        }

        Assert.True(weights[untouched].bytes.SequenceEqual(live[untouched].contiguous().bytes), $"{untouched} should equal the EMA value");
    }

    [SkippableTheory]
    [MemberData(nameof(Fixtures))]
    public void NestedCheckpointParsesEpochAndAdamWOptimizerState(string fixture, string[] perturbed, string untouched)
    {
        _ = untouched;
        var dir = SharedAssets.RequireFixture(fixture);
        using var scope = NewDisposeScope();
        var root = Assert.IsType<OrderedDictionary<object, object?>>(PyTorchCheckpoint.ReadObject(Path.Combine(dir, "checkpoint.pth")));

        Assert.Equal(["epoch", "model_state_dict", "ema_model_state_dict", "optimizer_state_dict"], root.Keys.Cast<string>());
        Assert.Equal(7L, root["epoch"]);

        var optimizer = Assert.IsType<OrderedDictionary<object, object?>>(root["optimizer_state_dict"]);
        var state = Assert.IsType<OrderedDictionary<object, object?>>(optimizer["state"]);
        var group = Assert.IsType<OrderedDictionary<object, object?>>(Assert.Single(Assert.IsType<List<object?>>(optimizer["param_groups"])));
        Assert.Equal(0.001, group["lr"]);
        Assert.Equal([0.9, 0.999], Assert.IsType<object?[]>(group["betas"]));
        Assert.Equal(0.01, group["weight_decay"]);
        Assert.Equal(false, group["amsgrad"]);
        var parameters = Assert.IsType<List<object?>>(group["params"]);
        Assert.Equal(Enumerable.Range(0, parameters.Count).Select(i => (object?)(long)i), parameters);
        Assert.Equal(parameters, state.Keys);

        // The first optimised parameter is the first stage's task-prior table.
        var live = Assert.IsType<OrderedDictionary<object, object?>>(root["model_state_dict"]);
        var taskPrior = Assert.IsType<Tensor>(live[perturbed[0]]);
        var first = Assert.IsType<OrderedDictionary<object, object?>>(state[0L]);
        Assert.Equal(taskPrior.shape, Assert.IsType<Tensor>(first["exp_avg"]).shape);

        foreach (var (_, value) in state)
        {
            var s = Assert.IsType<OrderedDictionary<object, object?>>(value);
            Assert.Equal(["step", "exp_avg", "exp_avg_sq"], s.Keys.Cast<string>());
            var step = Assert.IsType<Tensor>(s["step"]);
            Assert.Equal(0, step.dim());
            Assert.True(step.item<float>() >= 1);
            var avg = Assert.IsType<Tensor>(s["exp_avg"]);
            var avgSq = Assert.IsType<Tensor>(s["exp_avg_sq"]);
            Assert.Equal(avg.shape, avgSq.shape);
            Assert.True(avgSq.min().item<float>() >= 0, "exp_avg_sq must be non-negative");
        }
    }

    [SkippableFact]
    public void WeightFilePicksTheReaderByMagicBytesNotExtension()
    {
        var dir = SharedAssets.RequireFixture("hermes_m_small");
        var disguisedPth = Path.Combine(folder, "weights.safetensors");
        var disguisedSt = Path.Combine(folder, "model.pth");
        File.CreateSymbolicLink(disguisedPth, Path.Combine(dir, "checkpoint.pth"));
        File.CreateSymbolicLink(disguisedSt, Path.Combine(dir, "weights.safetensors"));

        Assert.Equal(WeightFileFormat.PyTorchZip, WeightFile.Detect(disguisedPth));
        Assert.Equal(WeightFileFormat.SafeTensors, WeightFile.Detect(disguisedSt));
        using var scope = NewDisposeScope();
        AssertBitEqual(WeightFile.Load(disguisedSt), WeightFile.Load(disguisedPth));

        var legacy = Path.Combine(folder, "legacy.pt");
        File.WriteAllBytes(legacy, [0x80, 0x02, 0x8a, 0x0a]);
        Assert.Contains("legacy", Assert.Throws<CheckpointFormatException>(() => WeightFile.Load(legacy)).Message);
        var text = Path.Combine(folder, "notes.pth");
        File.WriteAllText(text, "hello world");
        Assert.Contains("unrecognised", Assert.Throws<CheckpointFormatException>(() => WeightFile.Load(text)).Message);
    }

    // CPython's pickle.dumps of {'a': [1, -2, 2**70, -2**40, 1.5, None, True, False, 'ünï', b'xy', (1, 2, 3), (), (4,), (5, 6)],
    // 'b': OrderedDict([('n', -129), ('m', 65536)]), 'c': [x, x] with x = ['shared'] (one shared list), 7: 'seven'}.
    public static TheoryData<int, string> CPythonPickles => new()
    {
        { 2, "80027d71002858010000006171015d7102284b014afeffffff8a090000000000000000408a060000000000ff473ff80000000000004e88895805000000c3bc6ec3af7103635f636f646563730a656e636f64650a710458020000007879710558060000006c6174696e3171068671075271084b014b024b03877109294b0485710a4b054b0686710b65580100000062710c63636f6c6c656374696f6e730a4f726465726564446963740a710d2952710e2858010000006e710f4a7fffffff58010000006d71104a000001007558010000006371115d7112285d711358060000007368617265647114616813654b075805000000736576656e7115752e" },
        { 4, "800495ac000000000000007d94288c0161945d94284b014afeffffff8a090000000000000000408a060000000000ff473ff80000000000004e88898c05c3bc6ec3af9443027879944b014b024b038794294b0485944b054b068694658c0162948c0b636f6c6c656374696f6e73948c0b4f72646572656444696374949394295294288c016e944a7fffffff8c016d944a00000100758c0163945d94285d948c0673686172656494616811654b078c05736576656e94752e" },
        { 5, "800595ac000000000000007d94288c0161945d94284b014afeffffff8a090000000000000000408a060000000000ff473ff80000000000004e88898c05c3bc6ec3af9443027879944b014b024b038794294b0485944b054b068694658c0162948c0b636f6c6c656374696f6e73948c0b4f72646572656444696374949394295294288c016e944a7fffffff8c016d944a00000100758c0163945d94285d948c0673686172656494616811654b078c05736576656e94752e" },
    };

    [Theory]
    [MemberData(nameof(CPythonPickles))]
    public void CPythonPicklesOfPlainDataDecodeExactly(int protocol, string hex)
    {
        _ = protocol;
        var path = Path.Combine(folder, "plain.pt");
        File.WriteAllBytes(path, PickleBytes.Zip(Convert.FromHexString(hex)));

        var root = Assert.IsType<OrderedDictionary<object, object?>>(PyTorchCheckpoint.ReadObject(path));

        Assert.Equal(["a", "b", "c", 7L], root.Keys);
        var a = Assert.IsType<List<object?>>(root["a"]);
        Assert.Equal(1L, a[0]);
        Assert.Equal(-2L, a[1]);
        Assert.Equal(System.Numerics.BigInteger.Pow(2, 70), a[2]);
        Assert.Equal(-(1L << 40), a[3]);
        Assert.Equal(1.5, a[4]);
        Assert.Null(a[5]);
        Assert.Equal(true, a[6]);
        Assert.Equal(false, a[7]);
        Assert.Equal("ünï", a[8]);
        Assert.Equal("xy"u8.ToArray(), a[9]);
        Assert.Equal([1L, 2L, 3L], Assert.IsType<object?[]>(a[10]));
        Assert.Empty(Assert.IsType<object?[]>(a[11]));
        Assert.Equal([4L], Assert.IsType<object?[]>(a[12]));
        Assert.Equal([5L, 6L], Assert.IsType<object?[]>(a[13]));
        var b = Assert.IsType<OrderedDictionary<object, object?>>(root["b"]);
        Assert.Equal(-129L, b["n"]);
        Assert.Equal(65536L, b["m"]);
        var c = Assert.IsType<List<object?>>(root["c"]);
        Assert.Same(c[0], c[1]);
        Assert.Equal(["shared"], Assert.IsType<List<object?>>(c[0]));
        Assert.Equal("seven", root[7L]);
    }

    [Fact]
    public void BigEndianArchivesAreByteSwapped()
    {
        var pickle = new PickleBytes().Proto().EmptyDict().Mark()
            .Str("f").Tensor("0", 2, 0, [2], [1])
            .Str("l").Tensor("1", 1, 0, [1], [1], "LongStorage")
            .SetItems().Stop().ToArray();
        var floats = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteSingleBigEndian(floats, 1.25f);
        System.Buffers.Binary.BinaryPrimitives.WriteSingleBigEndian(floats.AsSpan(4), -3f);
        var longs = new byte[8];
        System.Buffers.Binary.BinaryPrimitives.WriteInt64BigEndian(longs, 123456789012L);
        var path = Path.Combine(folder, "big.pt");
        File.WriteAllBytes(path, PickleBytes.Zip(pickle, new Dictionary<string, byte[]> { ["0"] = floats, ["1"] = longs }, byteOrder: "big"));

        using var scope = NewDisposeScope();
        var sd = PyTorchCheckpoint.ReadStateDict(path);
        Assert.Equal(new[] { 1.25f, -3f }, sd["f"].data<float>().ToArray());
        Assert.Equal(123456789012L, sd["l"].item<long>());
    }

    [Fact]
    public void ViewsAreRebuiltWithOffsetSizeStrideAndShareTheirStorage()
    {
        var values = Enumerable.Range(0, 12).Select(i => (float)i).ToArray();
        var pickle = new PickleBytes().Proto().EmptyDict().Mark()
            .Str("module.a").Tensor("0", 12, 0, [3, 4], [4, 1])
            .Str("module.b").Tensor("0", 12, 0, [4, 3], [1, 4])
            .Str("module.c").Tensor("0", 12, 2, [2], [5])
            .Str("module.d").Tensor("1", 3, 0, [3], [1], "LongStorage")
            .SetItems().Stop().ToArray();
        var storages = new Dictionary<string, byte[]>
        {
            ["0"] = values.SelectMany(BitConverter.GetBytes).ToArray(),
            ["1"] = new long[] { -1, 1L << 40, 7 }.SelectMany(BitConverter.GetBytes).ToArray(),
        };
        var path = Path.Combine(folder, "views.pt");
        File.WriteAllBytes(path, PickleBytes.Zip(pickle, storages));

        using var scope = NewDisposeScope();
        var sd = PyTorchCheckpoint.ReadStateDict(path);
        Assert.Equal(["a", "b", "c", "d"], sd.Keys);
        var a = sd["a"];
        Assert.Equal(values, a.contiguous().data<float>().ToArray());
        Assert.Equal(new long[] { 4, 3 }, sd["b"].shape);
        Assert.False(sd["b"].is_contiguous());
        Assert.Equal(a.t().contiguous().data<float>().ToArray(), sd["b"].contiguous().data<float>().ToArray());
        Assert.Equal(new[] { 2f, 7f }, sd["c"].contiguous().data<float>().ToArray());
        Assert.Equal(new long[] { -1, 1L << 40, 7 }, sd["d"].data<long>().ToArray());
        Assert.Equal(ScalarType.Int64, sd["d"].dtype);

        // Shared storage, as in PyTorch: writing through one view is seen through the others.
        a[0, 2] = tensor(100f);
        Assert.Equal(100f, sd["b"][2, 0].item<float>());
        Assert.Equal(100f, sd["c"][0].item<float>());
    }

    [Fact]
    public void ViewOutsideItsStorageIsRejected()
    {
        var pickle = new PickleBytes().Proto().EmptyDict().Mark().Str("w").Tensor("0", 4, 1, [2, 2], [2, 1]).SetItems().Stop().ToArray();
        var path = Path.Combine(folder, "oob.pt");
        File.WriteAllBytes(path, PickleBytes.Zip(pickle, new Dictionary<string, byte[]> { ["0"] = new byte[16] }));
        var e = Assert.Throws<CheckpointFormatException>(() => PyTorchCheckpoint.ReadStateDict(path));
        Assert.Contains("storage '0' of 4 elements", e.Message);

        var lying = new PickleBytes().Proto().EmptyDict().Mark().Str("w").Tensor("0", 1000, 0, [4], [1]).SetItems().Stop().ToArray();
        File.WriteAllBytes(path, PickleBytes.Zip(lying, new Dictionary<string, byte[]> { ["0"] = new byte[16] }));
        e = Assert.Throws<CheckpointFormatException>(() => PyTorchCheckpoint.ReadStateDict(path));
        Assert.Contains("numel", e.Message);
        Assert.Contains("16 bytes", e.Message);

        var missing = new PickleBytes().Proto().EmptyDict().Mark().Str("w").Tensor("9", 4, 0, [4], [1]).SetItems().Stop().ToArray();
        File.WriteAllBytes(path, PickleBytes.Zip(missing, new Dictionary<string, byte[]> { ["0"] = new byte[16] }));
        Assert.Contains("archive/data/9", Assert.Throws<CheckpointFormatException>(() => PyTorchCheckpoint.ReadStateDict(path)).Message);
    }

    [Theory]
    [InlineData("os", "system")]
    [InlineData("builtins", "eval")]
    [InlineData("subprocess", "Popen")]
    [InlineData("torch", "load")]
    public void NonWhitelistedGlobalIsRejectedByNameAndNothingRuns(string module, string name)
    {
        var marker = Path.Combine(folder, "pwned");
        var command = $"touch {marker}";
        var viaGlobal = new PickleBytes().Proto().Global(module, name).Str(command).Op(0x85).Reduce().Stop().ToArray();
        var viaStackGlobal = new PickleBytes().Proto(4).Str(module).Str(name).Op(0x93).Str(command).Op(0x85).Reduce().Stop().ToArray();

        foreach (var pickle in new[] { viaGlobal, viaStackGlobal })
        {
            var path = Path.Combine(folder, "evil.pth");
            File.WriteAllBytes(path, PickleBytes.Zip(pickle));
            var e = Assert.Throws<CheckpointFormatException>(() => PyTorchCheckpoint.ReadObject(path));
            Assert.Contains($"{module}.{name}", e.Message);
            Assert.Contains("not executed", e.Message);
            Assert.Equal("GLOBAL", e.Field);
            Assert.Throws<CheckpointFormatException>(() => WeightFile.Load(path));
        }

        Assert.False(File.Exists(marker));
    }

    [Fact]
    public void EntrySelectionFollowsTheDocumentedOrderAndNamesAvailableKeys()
    {
        var nested = new PickleBytes().Proto().EmptyDict().Mark()
            .Str("epoch").Int(3)
            .Str("model_state_dict").EmptyDict().Mark().Str("w").Tensor("0", 2, 0, [2], [1]).SetItems()
            .Str("state_dict").EmptyDict().Mark().Str("w").Tensor("1", 2, 0, [2], [1]).SetItems()
            .SetItems().Stop().ToArray();
        var path = Path.Combine(folder, "nested.pth");
        File.WriteAllBytes(path, PickleBytes.Zip(nested, new Dictionary<string, byte[]>
        {
            ["0"] = new[] { 1f, 2f }.SelectMany(BitConverter.GetBytes).ToArray(),
            ["1"] = new[] { 3f, 4f }.SelectMany(BitConverter.GetBytes).ToArray(),
        }));

        using var scope = NewDisposeScope();
        Assert.Equal(new[] { 1f, 2f }, PyTorchCheckpoint.ReadStateDict(path)["w"].data<float>().ToArray());
        Assert.Equal(new[] { 3f, 4f }, PyTorchCheckpoint.ReadStateDict(path, "state_dict")["w"].data<float>().ToArray());
        var e = Assert.Throws<CheckpointFormatException>(() => PyTorchCheckpoint.ReadStateDict(path, "ema_model_state_dict"));
        Assert.Contains("epoch, model_state_dict, state_dict", e.Message);
        e = Assert.Throws<CheckpointFormatException>(() => PyTorchCheckpoint.ReadStateDict(path, "epoch"));
        Assert.Contains("Int64", e.Message);
    }

    private static void AssertBitEqual(IReadOnlyDictionary<string, Tensor> expected, IReadOnlyDictionary<string, Tensor> actual)
    {
        Assert.Equal(expected.Count, actual.Count);
        foreach (var (key, e) in expected)
        {
            Assert.True(actual.TryGetValue(key, out var a), $"missing {key}");
            Assert.Equal(e.dtype, a.dtype);
            Assert.Equal(e.shape, a.shape);
            Assert.True(e.contiguous().bytes.SequenceEqual(a.contiguous().bytes), $"bytes of {key}");
        }
    }
}
