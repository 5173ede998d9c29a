using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using Hermes.Inference;
using Hermes.Runtime;
using static TorchSharp.torch;

namespace Hermes.Benchmarks.Inference;

/// <summary>
/// Cost of sliding-window stitching alone: a 160³ single-channel volume, 64³ windows, a trivial model (the input repeated
/// to T channels), Gaussian weighting. Measures window extraction, sigmoid, weighting and accumulation.
/// </summary>
[Config(typeof(StitchingConfig))]
public class SlidingWindowStitchingBenchmarks
{
    /// <summary>Edge length of the cubic test volume.</summary>
    public const int VolumeSize = 160;

    private Tensor volume = null!;
    private SlidingWindowInferer inferer = null!;

    /// <summary>Output channels of the trivial model.</summary>
    [Params(1, 8)]
    public int Tasks { get; set; }

    /// <summary>Window overlap.</summary>
    [Params(0.25, 0.5)]
    public double Overlap { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        HermesRuntime.EnsureInitialized(new HermesRuntimeOptions { Threads = 2 });
        volume = randn(1, VolumeSize, VolumeSize, VolumeSize);
        inferer = new SlidingWindowInferer(new SlidingWindowOptions { WindowSize = (64, 64, 64), Overlap = Overlap, WindowsPerBatch = 2 });
    }

    [GlobalCleanup]
    public void Cleanup() => volume.Dispose();

    [Benchmark(Description = "stitch (trivial model)")]
    public void Stitch()
    {
        var tasks = Tasks;
        using var result = inferer.Infer(volume, x => x.expand(x.shape[0], tasks, x.shape[2], x.shape[3], x.shape[4]));
    }

    private sealed class StitchingConfig : ManualConfig
    {
        public StitchingConfig()
        {
            AddJob(Job.ShortRun.WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(3));
            AddColumn(new VoxelThroughputColumn());
        }
    }
}
