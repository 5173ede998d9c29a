using Hermes.Abstractions;
using Hermes.Priors.Losses;
using Hermes.Training;
using static TorchSharp.torch;

namespace Hermes.Backbones.Tests.Training;

/// <summary>A small Hermes-R (base 4 channels, one attention block per fusion) and its loss for training tests.</summary>
internal static class TrainingFixture
{
    public static UniversalSegmenter SmallHermesR(long seed)
    {
        random.manual_seed(seed);
        return HermesR.Create(new HermesROptions
        {
            Backbone = new ResUNetOptions { BaseChannels = 4 },
            TaskCount = SyntheticBatchSource.TaskCount,
            ModalityCount = SyntheticBatchSource.ModalityCount,
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
