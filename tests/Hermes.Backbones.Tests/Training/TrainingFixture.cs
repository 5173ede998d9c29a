using Hermes.Abstractions;
using Hermes.Priors.Losses;
using Hermes.Training;
using static TorchSharp.torch;

namespace Hermes.Backbones.Tests.Training;

/// <summary>
/// A small Hermes-R (channels 8, 16, 16, 32, 48; one attention block per fusion) and its loss for training tests.
/// Base 4 is avoided: with 4-channel convolutions (inc, up4) float32 training intermittently produced NaN logits on the
/// November 2026 AVX-512 VM (first seen in up4's output from finite inputs and weights, at a different step in each run),
/// never isolated; base 4 with two threads and the prefetcher gave finite, bit-identical runs on the AMD EPYC VM since
/// (docs/training.md, "Threads and determinism").
/// </summary>
internal static class TrainingFixture
{
    public static UniversalSegmenter SmallHermesR(long seed) =>
        SmallHermesR(seed, SyntheticBatchSource.TaskCount, SyntheticBatchSource.ModalityCount);

    public static UniversalSegmenter SmallHermesR(long seed, int taskCount, int modalityCount)
    {
        random.manual_seed(seed);
        return HermesR.Create(new HermesROptions
        {
            Backbone = new ResUNetOptions { BaseChannels = 8, ChannelMultipliers = [1, 2, 2, 4, 6] },
            TaskCount = taskCount,
            ModalityCount = modalityCount,
            FusionBlocks = [1, 1, 1, 1, 1],
        });
    }

    public static IReadOnlyList<(ILossTerm Term, double Weight)> Loss() => HermesLoss.Create(SyntheticBatchSource.TaskCount).Terms;

    internal sealed class ListProgress : IProgress<TrainingProgress>
    {
        public List<TrainingProgress> Reports { get; } = [];

        public IEnumerable<TrainingProgress> Steps => Reports.Where(r => r.Validation is null);

        public void Report(TrainingProgress value) => Reports.Add(value);
    }
}
