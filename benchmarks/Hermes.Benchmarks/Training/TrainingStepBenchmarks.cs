using BenchmarkDotNet.Attributes;
using Hermes.Abstractions;
using Hermes.Augmentation;
using Hermes.Backbones;
using Hermes.Benchmarks.Data;
using Hermes.Data;
using Hermes.Priors.Losses;
using Hermes.Runtime;
using Hermes.Training;
using static TorchSharp.torch;

namespace Hermes.Benchmarks.Training;

/// <summary>
/// One LAMB training step of the published Hermes-R (forward, Hermes loss, backward, optimiser, EMA), batch 2, fed by
/// the real data pipeline (<see cref="SyntheticTrainingCases"/>, foreground oversampling, reference augmentation)
/// through the bounded background prefetcher — what a training run costs per step on this CPU, data included.
/// Reports s/step; samples/s = 2 / (s/step). <see cref="DataPipelineBenchmarks"/> prices the pipeline alone.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 3, invocationCount: 1)]
public class TrainingStepBenchmarks
{
    private SyntheticTrainingCases data = null!;
    private BatchPrefetcher prefetcher = null!;
    private UniversalSegmenter model = null!;
    private UniversalSegmenter average = null!;
    private LambOptimizer optimizer = null!;
    private Trainer trainer = null!;

    /// <summary>Cubic patch edge.</summary>
    [Params(64, 96)]
    public int Size { get; set; }

    /// <summary>Builds the cases, the pipeline, the model and the optimiser.</summary>
    [GlobalSetup]
    public void Setup()
    {
        HermesRuntime.EnsureInitialized(new HermesRuntimeOptions { Threads = 2 });
        random.manual_seed(0);
        data = SyntheticTrainingCases.Create();
        var source = new TrainingBatchSource(data.Catalog, data.Cases,
            new TrainingBatchOptions { BatchSize = 2, PatchSize = [Size, Size, Size], Seed = 7, MaxParallelism = 1 },
            new BatchAugmenter(new AugmentationOptions()));
        prefetcher = source.Prefetch();
        model = HermesR.Create();
        average = HermesR.Create();
        optimizer = new LambOptimizer(model.parameters());
        trainer = new Trainer(model, HermesLoss.Create(72).Terms, optimizer,
            new TrainerOptions { Epochs = 1, StepsPerEpoch = 1_000_000 }, averageModel: average);
    }

    /// <summary>One optimiser step on the next prefetched batch.</summary>
    [Benchmark]
    public double Step()
    {
        using var batch = prefetcher.Next();
        return trainer.TrainStep(batch).Loss;
    }

    /// <summary>Releases everything.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        prefetcher.Dispose();
        trainer.Dispose();
        optimizer.Dispose();
        model.Dispose();
        average.Dispose();
        data.Dispose();
    }
}
