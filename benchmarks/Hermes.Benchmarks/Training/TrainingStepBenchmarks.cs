using BenchmarkDotNet.Attributes;
using Hermes.Abstractions;
using Hermes.Backbones;
using Hermes.Priors.Losses;
using Hermes.Runtime;
using Hermes.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Benchmarks.Training;

/// <summary>
/// One LAMB training step (forward, Hermes loss, backward, optimiser, EMA) of the published Hermes-R on a synthetic
/// batch of two 64³ patches with T = 4 task columns (one null), model only (no data pipeline). Reports s/step;
/// samples/s = 2 / (s/step).
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 3, invocationCount: 1)]
public class TrainingStepBenchmarks
{
    private UniversalSegmenter model = null!;
    private UniversalSegmenter average = null!;
    private LambOptimizer optimizer = null!;
    private Trainer trainer = null!;
    private TrainingBatch batch = null!;

    /// <summary>Patch edge length.</summary>
    [Params(64)]
    public int Size { get; set; }

    /// <summary>Builds the model, the optimiser and one fixed batch.</summary>
    [GlobalSetup]
    public void Setup()
    {
        HermesRuntime.EnsureInitialized();
        random.manual_seed(0);
        model = HermesR.Create();
        average = HermesR.Create();
        optimizer = new LambOptimizer(model.parameters());
        trainer = new Trainer(model, HermesLoss.Create(72).Terms, optimizer,
            new TrainerOptions { Epochs = 1, StepsPerEpoch = 1_000_000 }, averageModel: average);
        var image = randn([2, 1, Size, Size, Size]);
        var labels = randint(0, 2, [2, 4, Size, Size, Size]).to_type(ScalarType.Int8);
        var tasks = tensor(new long[] { 0, 5, 9, -1, 30, 31, -1, -1 }, [2, 4]);
        var modality = tensor(new long[] { 0, 2 });
        batch = new TrainingBatch(image, labels, tasks, modality);
    }

    /// <summary>One optimiser step.</summary>
    [Benchmark]
    public double Step() => trainer.TrainStep(batch).Loss;

    /// <summary>Releases the model and tensors.</summary>
    [GlobalCleanup]
    public void Cleanup()
    {
        trainer.Dispose();
        optimizer.Dispose();
        batch.Dispose();
        model.Dispose();
        average.Dispose();
    }
}
