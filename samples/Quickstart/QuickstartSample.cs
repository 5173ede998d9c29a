using Hermes.Backbones;
using Hermes.Data;
using Hermes.DependencyInjection;
using Hermes.Inference;
using Hermes.Metrics;
using Hermes.Priors.Losses;
using Hermes.Training;
using static TorchSharp.torch;

namespace Hermes.Samples.Quickstart;

/// <summary>Compose a universal segmenter, train it on synthetic spheres, segment a new volume.</summary>
public static class QuickstartSample
{
    public static async Task<double> RunAsync(int steps)
    {
        // 1. Compose: a small Hermes-R with one task ("sphere", plus the pad row) and one modality.
        manual_seed(0);
        using var model = HermesR.Create(new HermesROptions
        {
            Backbone = new ResUNetOptions { BaseChannels = 8 },
            TaskCount = 2,
            ModalityCount = 1,
            FusionBlocks = [1, 1, 1, 1, 1],
        });

        // 2. Train with the Hermes loss and LAMB on batches of random spheres.
        using var optimizer = new LambOptimizer(model.parameters(), new LambOptions { LearningRate = 0.02 });
        var options = new TrainerOptions { Epochs = 1, StepsPerEpoch = steps, ValidateEveryEpochs = 0, ValidateLastEpochs = 0 };
        using var trainer = new Trainer(model, HermesLoss.Create(taskCount: 2).Terms, optimizer, options);
        await trainer.RunAsync(new SphereBatches());

        // 3. Predict a new 48³ volume with 32³ sliding windows and score it.
        var vocabulary = new TaskVocabulary();
        vocabulary.AddTask("sphere");
        vocabulary.AddModality("CT");
        var predictor = new SegmentationPredictor(model, new SlidingWindowOptions { WindowSize = (32, 32, 32) }, vocabulary);
        var (image, truth) = SphereBatches.Volume(new Random(2024), 48);
        using var mask = predictor.PredictMasks(image.unsqueeze(0), ["sphere"], "CT");
        return SegmentationOverlap.Count(mask[0], truth).Dice;
    }
}
