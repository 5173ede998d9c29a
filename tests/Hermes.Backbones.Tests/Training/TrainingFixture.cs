using Hermes.Abstractions;
using Hermes.Priors.Losses;
using Hermes.Training;
using static TorchSharp.torch;

namespace Hermes.Backbones.Tests.Training;

/// <summary>
/// A small Hermes-R (channels 4, 16, 16, 32, 48; one attention block per fusion) and its loss for training tests.
/// Channel counts ≡ 8 (mod 16) are avoided: with base 4 and the default multipliers (4, 8, 16, 32, 40) float32 training
/// intermittently produced NaN segmentation logits on this AVX-512 CPU even with the oneDNN AVX2 cap.
/// </summary>
internal static class TrainingFixture
{
    public static UniversalSegmenter SmallHermesR(long seed)
    {
        random.manual_seed(seed);
        return HermesR.Create(new HermesROptions
        {
            Backbone = new ResUNetOptions { BaseChannels = 4, ChannelMultipliers = [1, 4, 4, 8, 12] },
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
