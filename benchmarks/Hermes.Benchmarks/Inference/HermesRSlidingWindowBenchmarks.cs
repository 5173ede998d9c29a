using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using Hermes.Abstractions;
using Hermes.Backbones;
using Hermes.Inference;
using Hermes.Runtime;
using static TorchSharp.torch;

namespace Hermes.Benchmarks.Inference;

/// <summary>
/// Sliding-window throughput of the full Hermes-R (base channels 32, 72 tasks, 6 modalities; random weights) on CPU:
/// a 96³ volume in 64³ windows (128³ windows are ~8× slower per window on CPU, see hermes-reference.md §13), 4 tasks +
/// one null token, overlap 0.25 (2 windows per axis, 8 windows) and 0.5 (2 per axis with the reference's step, 8 windows
/// with Even placement), with and without 8-fold mirroring TTA. Voxels/s = 96³ / mean time (computed by hand in
/// docs/performance.md). One cold iteration per case (Job.Dry): a case takes minutes on 2 cores. Compare with the reference forward times of §13: Hermes-R 1×64³ 7.3 s
/// (default allocator) / 3.0 s (tuned allocator) per window.
/// </summary>
[Config(typeof(Config))]
public class HermesRSlidingWindowBenchmarks
{
    /// <summary>Edge length of the cubic test volume.</summary>
    public const int VolumeSize = 96;

    private Tensor volume = null!;
    private UniversalSegmenter model = null!;

    /// <summary>Window overlap.</summary>
    [Params(0.25, 0.5)]
    public double Overlap { get; set; }

    /// <summary>Mirroring TTA over x, y and z (8 passes per window).</summary>
    [Params(false, true)]
    public bool Tta { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        HermesRuntime.EnsureInitialized(new HermesRuntimeOptions { Threads = 2 });
        manual_seed(1);
        model = HermesR.Create();
        model.eval();
        volume = randn(1, VolumeSize, VolumeSize, VolumeSize);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        volume.Dispose();
        model.Dispose();
    }

    [Benchmark(Description = "Hermes-R sliding window")]
    public void Infer()
    {
        var inferer = new SlidingWindowInferer(new SlidingWindowOptions
        {
            WindowSize = (64, 64, 64),
            Overlap = Overlap,
            MirrorAxes = Tta ? [0, 1, 2] : [],
        });
        using var result = inferer.Infer(volume, new SegmenterWindowPredictor(model, [0, 1, 2, 3], modalityId: 0));
    }

    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddJob(Job.Dry.WithLaunchCount(1).WithWarmupCount(0).WithIterationCount(1));
        }
    }
}
