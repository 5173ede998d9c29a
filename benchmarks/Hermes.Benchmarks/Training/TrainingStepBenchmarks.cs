using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using Hermes.Abstractions;
using Hermes.Augmentation;
using Hermes.Backbones;
using Hermes.Benchmarks.Data;
using Hermes.Benchmarks.Runtime;
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
/// Reports s/step; samples/s = 2 / (s/step). <see cref="DataPipelineBenchmarks"/> prices the pipeline alone. With
/// <c>HERMES_BENCH_KERNELS=1</c> the convolution kernels are compared side by side (<see cref="ConvolutionKernelJobs"/>).
/// </summary>
[Config(typeof(TrainingStepBenchmarkConfig))]
public class TrainingStepBenchmarks
{
    private SyntheticTrainingCases data = null!;
    private BatchPrefetcher prefetcher = null!;
    private UniversalSegmenter model = null!;
    private UniversalSegmenter average = null!;
    private LambOptimizer optimizer = null!;
    private Trainer trainer = null!;

    /// <summary>Cubic patch edge.</summary>
    [ParamsSource(nameof(Sizes))]
    public int Size { get; set; }

    /// <summary>The patch edges to run: 64 and 96, or the comma-separated subset in <c>HERMES_BENCH_PATCHES</c>.</summary>
    public static IEnumerable<int> Sizes =>
        Environment.GetEnvironmentVariable("HERMES_BENCH_PATCHES")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(s => int.Parse(s, System.Globalization.CultureInfo.InvariantCulture)) is { } chosen && chosen.Any() ? chosen : [64, 96];

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

    private sealed class TrainingStepBenchmarkConfig : ManualConfig
    {
        public TrainingStepBenchmarkConfig()
        {
            var job = Job.Default.WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(3).WithInvocationCount(1).WithUnrollFactor(1);
            AddJob(ConvolutionKernelJobs.Requested ? [.. ConvolutionKernelJobs.From(job)] : [job]);
        }
    }
}
