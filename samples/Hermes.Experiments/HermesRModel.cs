using Hermes.Abstractions;
using Hermes.Backbones;
using Hermes.Checkpoints;
using Hermes.Data;
using Hermes.Inference;
using Hermes.Priors.Losses;
using Hermes.Training;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace Hermes.Experiments;

/// <summary>
/// The universal Hermes-R of an experiment, trained by the library's <see cref="Trainer"/> (Hermes loss, AdamW or LAMB,
/// exponential warm-up then poly decay per step, weight EMA, periodic validation of the EMA model through
/// <see cref="PredictorValidator"/>, checkpoints and a JSON-lines metrics log in the output folder).
/// </summary>
public sealed class HermesRModel : IExperimentModel
{
    private readonly UniversalSegmenter model;
    private readonly UniversalSegmenter? average;
    private readonly ITrainingOptimizer optimizer;
    private readonly Trainer trainer;
    private readonly ModelSidecar sidecar;

    /// <summary>Builds the model (seeded) and its trainer.</summary>
    /// <param name="settings">The experiment.</param>
    /// <param name="catalog">Its catalog.</param>
    /// <param name="sidecar">The sidecar saved with the model.</param>
    /// <param name="validator">Periodic validation (curve).</param>
    /// <param name="outputFolder">Where checkpoints and the metrics log go.</param>
    /// <param name="logger">Logger.</param>
    public HermesRModel(ExperimentSettings settings, TaskCatalog catalog, ModelSidecar sidecar, IValidator validator, string outputFolder, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(catalog);
        this.sidecar = sidecar;
        var t = settings.Training;
        var taskCount = TaskCount(catalog);
        var options = new HermesROptions
        {
            Backbone = new ResUNetOptions { BaseChannels = settings.Model.BaseChannels, InputChannels = 1 },
            TaskCount = taskCount,
            ModalityCount = catalog.Vocabulary.ModelModalityCount,
        };
        random.manual_seed(t.Seed);
        model = HermesR.Create(options);
        average = t.EmaDecay > 0 ? HermesR.Create(options) : null;
        optimizer = t.CreateOptimizer(model.parameters());
        var epochs = t.Steps / t.StepsPerEpoch;
        var schedule = new WarmupDecaySchedule(new WarmupDecayOptions
        {
            BaseLearningRate = t.LearningRate,
            WarmupEpochs = t.WarmupEpochs,
            TotalEpochs = epochs,
            StepsPerEpoch = t.StepsPerEpoch,
            PerEpoch = false,
        });
        trainer = new Trainer(model, HermesLoss.Create(taskCount).Terms, optimizer, new TrainerOptions
        {
            Epochs = epochs,
            StepsPerEpoch = t.StepsPerEpoch,
            Seed = t.Seed,
            EmaDecay = t.EmaDecay > 0 ? t.EmaDecay : 0.99,
            ValidateEveryEpochs = t.ValidateEveryEpochs,
            ValidateLastEpochs = 1,
            CheckpointDirectory = Path.Combine(outputFolder, "checkpoints"),
            CheckpointEveryEpochs = Math.Max(1, epochs / 4),
            MetricsLogPath = Path.Combine(outputFolder, "metrics.jsonl"),
            Tasks = catalog.Vocabulary.Tasks,
            Modalities = catalog.Vocabulary.Modalities,
            Threads = t.Threads,
        }, schedule, average, validator, logger);
    }

    /// <summary>The model's task table size: the vocabulary plus the padding row the Hermes loss silences.</summary>
    /// <param name="catalog">The catalog.</param>
    /// <returns>tn.</returns>
    public static int TaskCount(TaskCatalog catalog) => catalog.Vocabulary.ModelTaskCount;

    /// <inheritdoc />
    public Task TrainAsync(TrainingBatchSource source, TrainingCurve curve, CancellationToken cancellationToken) =>
        trainer.RunAsync(source, curve, cancellationToken: cancellationToken);

    /// <inheritdoc />
    public void Save(string safetensorsPath) => CheckpointWriter.Save(safetensorsPath, average ?? model, sidecar);

    /// <inheritdoc />
    public (VolumePredictor Predictor, IDisposable Model) LoadPredictor(string safetensorsPath)
    {
        var (loaded, saved) = SavedModel.Load(safetensorsPath);
        return (new VolumePredictor(loaded, saved, CPU), loaded);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        trainer.Dispose();
        optimizer.Dispose();
        average?.Dispose();
        model.Dispose();
    }
}
