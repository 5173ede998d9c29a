using BenchmarkDotNet.Attributes;
using Hermes.Augmentation;
using Hermes.Checkpoints;
using Hermes.Data;
using Hermes.IO;
using Hermes.Runtime;
using Hermes.Volumes;

namespace Hermes.Benchmarks.Data;

/// <summary>
/// The data pipeline alone (no model): weighted case draw, foreground-oversampled patch read from the memory-mapped cache,
/// augmentation (reference settings) and mask/task assembly, batch 2, on the CPU. Time is per patch (OperationsPerInvoke = 2);
/// patches/s = 1 / mean.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 3)]
[MemoryDiagnoser]
public class DataPipelineBenchmarks
{
    private const int BatchSize = 2;
    private SyntheticTrainingCases data = null!;
    private TrainingBatchSource source = null!;
    private long step;

    /// <summary>Cubic patch edge.</summary>
    [Params(64, 96)]
    public int Patch { get; set; }

    /// <summary>Whether the reference augmentation runs (spatial p = 0.5, intensity p = 0.1).</summary>
    [Params(false, true)]
    public bool Augment { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        HermesRuntime.EnsureInitialized(new HermesRuntimeOptions { Threads = 2 });
        data = SyntheticTrainingCases.Create();
        var augmenter = Augment ? new BatchAugmenter(new AugmentationOptions()) : null;
        source = new TrainingBatchSource(data.Catalog, data.Cases, new TrainingBatchOptions { BatchSize = BatchSize, PatchSize = [Patch, Patch, Patch], Seed = 7, MaxParallelism = 2 }, augmenter);
    }

    [GlobalCleanup]
    public void Cleanup() => data.Dispose();

    /// <summary>Builds one batch of two patches.</summary>
    [Benchmark(OperationsPerInvoke = BatchSize)]
    public long Batch()
    {
        using var batch = source.GetBatch(step++);
        return batch.Labels.shape[1];
    }
}
