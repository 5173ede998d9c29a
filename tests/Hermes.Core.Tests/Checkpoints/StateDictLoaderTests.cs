using Hermes.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;

namespace Hermes.Core.Tests.Checkpoints;

public sealed class StateDictLoaderTests
{
    private static Module<Tensor, Tensor> Build(int hidden = 4) => Sequential(
        ("conv", Conv3d(2, hidden, 3)),
        ("norm", BatchNorm3d(hidden)),
        ("act", ReLU()),
        ("pool", AdaptiveAvgPool3d(1)),
        ("flat", Flatten()),
        ("head", Linear(hidden, 3)));

    private static Dictionary<string, Tensor> Source(int hidden = 4, ScalarType dtype = ScalarType.Float32)
    {
        var gen = new Generator(42);
        var source = Build(hidden);
        var dict = new Dictionary<string, Tensor>();
        foreach (var (k, v) in source.state_dict())
        {
            dict[k] = v.dtype == ScalarType.Int64 ? full_like(v, 5) : randn(v.shape, dtype: dtype, generator: gen);
        }

        return dict;
    }

    [Fact]
    public void ExactLoadCopiesParametersAndBuffersInPlaceConvertingDtype()
    {
        using var scope = NewDisposeScope();
        var module = Build();
        var weightBefore = module.named_parameters().Single(p => p.name == "conv.weight").parameter;
        var source = Source(dtype: ScalarType.Float64);

        var report = StateDictLoader.Load(module, source);

        Assert.True(report.IsExact);
        Assert.Equal(source.Count, report.Loaded);
        Assert.Equal(9, source.Count);
        foreach (var (name, tensor) in module.state_dict())
        {
            Assert.True(tensor.dtype == ScalarType.Float32 || name.EndsWith("num_batches_tracked", StringComparison.Ordinal), name);
            Assert.True(tensor.to(float64).allclose(source[name].to(float64), rtol: 1e-6, atol: 1e-7), name);
        }

        // The parameter object is the one the module had; its values changed in place.
        Assert.Same(weightBefore, module.named_parameters().Single(p => p.name == "conv.weight").parameter);
        Assert.True(weightBefore.to(float64).allclose(source["conv.weight"], rtol: 1e-6, atol: 1e-7));
        Assert.Equal(5L, module.state_dict()["norm.num_batches_tracked"].item<long>());
        Assert.True(module.state_dict()["norm.running_var"].to(float64).allclose(source["norm.running_var"], rtol: 1e-6, atol: 1e-7));
    }

    [Fact]
    public void StrictLoadNamesMissingUnexpectedAndMisShapedKeysAndCopiesNothing()
    {
        using var scope = NewDisposeScope();
        var module = Build();
        var before = module.state_dict().ToDictionary(kv => kv.Key, kv => kv.Value.clone());
        var source = Source();
        source.Remove("norm.running_mean");
        source["decoder.extra.weight"] = zeros(3);
        source["head.weight"] = zeros(3, 5);

        var e = Assert.Throws<StateDictMismatchException>(() => StateDictLoader.Load(module, source));

        Assert.Contains("norm.running_mean", e.Message);
        Assert.Contains("decoder.extra.weight", e.Message);
        Assert.Contains("head.weight (module [3, 4], file [3, 5])", e.Message);
        Assert.Equal(["norm.running_mean"], e.Report.Missing);
        Assert.Equal(["decoder.extra.weight"], e.Report.Unexpected);
        var mismatch = Assert.Single(e.Report.Mismatched);
        Assert.Equal("head.weight", mismatch.Key);
        Assert.Equal(new long[] { 3, 4 }, mismatch.Expected);
        Assert.Equal(new long[] { 3, 5 }, mismatch.Actual);
        foreach (var (name, tensor) in module.state_dict())
        {
            Assert.True(tensor.equal(before[name]).all().item<bool>(), $"{name} must be untouched after a failed strict load");
        }
    }

    [Fact]
    public void NonStrictLoadCopiesWhatMatchesAndReports()
    {
        using var scope = NewDisposeScope();
        var module = Build();
        var headBefore = module.state_dict()["head.weight"].clone();
        var source = Source();
        source.Remove("norm.running_mean");
        source["head.weight"] = zeros(3, 5);
        source["extra"] = zeros(1);

        var report = StateDictLoader.Load(module, source, strict: false);

        Assert.False(report.IsExact);
        Assert.Equal(7, report.Loaded);
        Assert.Equal(["norm.running_mean"], report.Missing);
        Assert.Equal(["extra"], report.Unexpected);
        Assert.Equal("head.weight", Assert.Single(report.Mismatched).Key);
        Assert.True(module.state_dict()["conv.weight"].equal(source["conv.weight"]).all().item<bool>());
        Assert.True(module.state_dict()["head.weight"].equal(headBefore).all().item<bool>());
    }

    [Fact]
    public void NonPersistentBuffersAreNeitherExpectedNorReported()
    {
        using var scope = NewDisposeScope();
        var module = new WithScratchBuffer();
        var report = StateDictLoader.Load(module, new Dictionary<string, Tensor> { ["lin.weight"] = ones(2, 2), ["lin.bias"] = zeros(2) });
        Assert.True(report.IsExact, report.Describe());
        Assert.Equal(2, report.Loaded);
        Assert.Equal(4f, module.lin.weight!.sum().item<float>());
    }

    private sealed class WithScratchBuffer : Module<Tensor, Tensor>
    {
        public readonly TorchSharp.Modules.Linear lin = Linear(2, 2);

        public WithScratchBuffer()
            : base(nameof(WithScratchBuffer))
        {
            register_buffer("scratch", zeros(3), persistent: false);
            RegisterComponents();
        }

        public override Tensor forward(Tensor input) => lin.forward(input);
    }

    [Fact]
    public void LongKeyListsAreTruncatedWithCounts()
    {
        using var scope = NewDisposeScope();
        var module = Build();
        var source = Source();
        for (var i = 0; i < 30; i++)
        {
            source[$"unused.{i:D2}"] = zeros(1);
        }

        var e = Assert.Throws<StateDictMismatchException>(() => StateDictLoader.Load(module, source));
        Assert.Contains("Unexpected (30): unused.00", e.Message);
        Assert.Contains("unused.19, … and 10 more", e.Message);
        Assert.DoesNotContain("unused.20", e.Message);
    }
}
