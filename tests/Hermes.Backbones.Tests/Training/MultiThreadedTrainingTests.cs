using System.Globalization;
using Hermes.Abstractions;
using Hermes.Data;
using Hermes.Priors.Losses;
using Hermes.Training;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Hermes.Backbones.Tests.Training;

/// <summary>
/// Training on several intra-op threads with the real background prefetcher (batches built on thread-pool threads) is
/// finite and reproducible: repeated runs of the hippocampus quick model (Hermes-R base 8) on real MR cases give the same
/// loss curve bit for bit, and two trainings running at the same time on different threads each give their sequential
/// result. Earlier sessions saw intermittent NaN logits and run-to-run differences with two threads (docs/training.md,
/// "Threads and determinism"); this is the stress test that would show them.
/// </summary>
/// <remarks>
/// Size: <c>HERMES_STRESS_RUNS</c> runs × <c>HERMES_STRESS_STEPS</c> steps (default 3 × 30, about a minute on 2 cores;
/// 20 × 100 takes about half an hour of both cores).
/// </remarks>
public sealed class MultiThreadedTrainingTests(HippocampusSpleenCases data, ITestOutputHelper log) : IClassFixture<HippocampusSpleenCases>
{
    private const int IntraOpThreads = 2;

    [SkippableFact]
    public async Task RepeatedRunsOnTwoThreadsWithThePrefetcherAreFiniteAndBitIdentical()
    {
        var cases = data.Cases();
        var runs = Setting("HERMES_STRESS_RUNS", 3);
        var steps = Setting("HERMES_STRESS_STEPS", 30);
        double[]? first = null;
        for (var r = 0; r < runs; r++)
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var losses = await TrainAsync(cases, steps);
            log.WriteLine($"run {r}: {clock.Elapsed.TotalSeconds:F1} s, last loss {losses[^1].ToString("R", CultureInfo.InvariantCulture)}");
            Assert.All(losses, l => Assert.True(double.IsFinite(l), $"run {r}: non-finite loss in {Describe(losses)}"));
            first ??= losses;
            AssertSame(first, losses, $"run {r}");
        }
    }

    [SkippableFact]
    public async Task TwoTrainingsAtOnceOnDifferentThreadsEachGiveTheirSequentialResult()
    {
        var cases = data.Cases();
        const int steps = 12;
        var alone = await TrainAsync(cases, steps, batchSeed: 5);
        var other = await TrainAsync(cases, steps, batchSeed: 6);
        var together = await Task.WhenAll(TrainAsync(cases, steps, batchSeed: 5), TrainAsync(cases, steps, batchSeed: 6));
        AssertSame(alone, together[0], "batch seed 5 beside another training");
        AssertSame(other, together[1], "batch seed 6 beside another training");
    }

    /// <summary>One run: the quick model from a fixed seed, AdamW as the quick experiment, batches from the prefetcher.</summary>
    private async Task<double[]> TrainAsync(IReadOnlyList<PreprocessedCase> cases, int steps, ulong batchSeed = 2024)
    {
        // Models are built under a lock: their initial weights come from LibTorch's process-wide generator.
        UniversalSegmenter created;
        lock (ModelGate)
        {
            random.manual_seed(42);
            created = HermesR.Create(new HermesROptions
            {
                Backbone = new ResUNetOptions { BaseChannels = 8, InputChannels = 1 },
                TaskCount = data.TaskCount,
                ModalityCount = data.ModalityCount,
            });
        }

        using var model = created;
        using var adamW = new AdamWOptimizer(model.parameters(), new AdamWOptions { LearningRate = 3e-3, WeightDecay = 1e-4, MaxGradNorm = 12 });
        var options = new TrainerOptions { Epochs = 1, StepsPerEpoch = steps, Threads = IntraOpThreads, ValidateEveryEpochs = 0, ValidateLastEpochs = 0 };
        using var trainer = new Trainer(model, HermesLoss.Create(data.TaskCount).Terms, adamW, options);
        var source = new TrainingBatchSource(data.Catalog, cases, new TrainingBatchOptions
        {
            BatchSize = 2, PatchSize = [32, 32, 32], ForegroundRatio = 0.5, Seed = batchSeed, MaxParallelism = 2,
        });
        var progress = new TrainingFixture.ListProgress();
        await trainer.RunAsync(source, progress); // the source's ReadAsync: the background prefetcher
        var losses = progress.Steps.Select(p => p.Loss).ToArray();
        Assert.Equal(steps, losses.Length);
        return losses;
    }

    private static readonly Lock ModelGate = new();

    private static void AssertSame(double[] expected, double[] actual, string what)
    {
        var firstDifference = expected.Zip(actual).TakeWhile(p => p.First.Equals(p.Second)).Count();
        Assert.True(firstDifference == expected.Length,
            $"{what}: the loss curve differs from the first run from step {firstDifference} on (largest difference {expected.Zip(actual).Max(p => Math.Abs(p.First - p.Second)):E3}); " +
            $"LibTorch's CPU kernels are deterministic for a fixed intra-op thread count, so a difference means state shared between threads.\nfirst: {Describe(expected)}\nthis:  {Describe(actual)}");
    }

    private static string Describe(IEnumerable<double> losses) => string.Join(", ", losses.Select(l => l.ToString("F5", CultureInfo.InvariantCulture)));

    private static int Setting(string name, int fallback) =>
        int.TryParse(Environment.GetEnvironmentVariable(name), NumberStyles.None, CultureInfo.InvariantCulture, out var value) && value > 0 ? value : fallback;
}
