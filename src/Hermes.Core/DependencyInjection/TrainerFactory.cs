using Hermes.Abstractions;
using Hermes.Data;
using Hermes.Training;
using Hermes.Transfer;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using TorchSharp.Modules;

namespace Hermes.DependencyInjection;

/// <summary>The default <see cref="ITrainerFactory"/>.</summary>
/// <param name="options">The options monitor.</param>
/// <param name="segmenters">Creates the EMA model.</param>
/// <param name="catalog">The task catalog (vocabulary size and names).</param>
/// <param name="lossTerms">Loss terms added with <c>AddLoss&lt;T&gt;()</c> (weight 1 each); when there are none the <paramref name="lossFactory"/> is used.</param>
/// <param name="lossFactory">The architecture's default loss; optional.</param>
/// <param name="loggerFactory">Logging; optional.</param>
public sealed class TrainerFactory(
    IOptionsMonitor<HermesOptions> options,
    ISegmenterFactory segmenters,
    TaskCatalog catalog,
    IEnumerable<ILossTerm> lossTerms,
    ILossFactory? lossFactory = null,
    ILoggerFactory? loggerFactory = null) : ITrainerFactory
{
    /// <inheritdoc />
    public Trainer Create(UniversalSegmenter model, string? name = null, IValidator? validator = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var t = options.Get(name ?? Options.DefaultName).Training;
        return Build(model, CreateOptimizer(t, model.parameters(), ownClipping: true), name, validator);
    }

    /// <inheritdoc />
    public Trainer CreateFineTuning(UniversalSegmenter model, FineTuneOptions fineTune, string? name = null, IValidator? validator = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(fineTune);
        var t = options.Get(name ?? Options.DefaultName).Training;
        return Build(model, FineTuning.Prepare(model, fineTune, group => CreateOptimizer(t, group, ownClipping: false)), name, validator);
    }

    /// <summary>The configured optimiser; without its own gradient clipping when a fine-tune optimiser clips all groups at once.</summary>
    private static ITrainingOptimizer CreateOptimizer(HermesTrainingOptions t, IEnumerable<Parameter> parameters, bool ownClipping)
    {
        if (t.Optimizer == OptimizerKind.AdamW)
        {
            var adamw = new AdamWOptions { LearningRate = t.LearningRate };
            return new AdamWOptimizer(parameters, ownClipping ? adamw : adamw with { MaxGradNorm = double.PositiveInfinity });
        }

        var lamb = new LambOptions { LearningRate = t.LearningRate };
        return new LambOptimizer(parameters, ownClipping ? lamb : lamb with { MaxGradNorm = double.PositiveInfinity });
    }

    /// <summary>The trainer around <paramref name="optimizer"/> (disposed here when the trainer cannot be built).</summary>
    private Trainer Build(UniversalSegmenter model, ITrainingOptimizer optimizer, string? name, IValidator? validator)
    {
        UniversalSegmenter? average = null;
        try
        {
            var o = options.Get(name ?? Options.DefaultName);
            var t = o.Training;
            var custom = lossTerms.Select(term => (term, 1.0)).ToList();
            var loss = custom.Count > 0
                ? custom
                : lossFactory?.Create(model.TaskCount)
                  ?? throw new InvalidOperationException("No loss is registered: call UseResUNet()/UseMedFormer() (Hermes loss) or AddLoss<T>().");
            var schedule = new WarmupDecaySchedule(new WarmupDecayOptions
            {
                BaseLearningRate = t.LearningRate,
                WarmupEpochs = t.WarmupEpochs,
                TotalEpochs = t.Epochs,
                StepsPerEpoch = t.StepsPerEpoch,
            });
            average = t.EmaDecay > 0 ? segmenters.Create(name) : null;
            var trainerOptions = new TrainerOptions
            {
                Epochs = t.Epochs,
                StepsPerEpoch = t.StepsPerEpoch,
                Seed = t.Seed,
                EmaDecay = t.EmaDecay > 0 ? t.EmaDecay : TrainerOptions.ReferenceEmaDecay,
                CheckpointDirectory = t.OutputDirectory is null ? null : Path.Combine(t.OutputDirectory, "checkpoints"),
                MetricsLogPath = t.OutputDirectory is null ? null : Path.Combine(t.OutputDirectory, "metrics.jsonl"),
                Tasks = catalog.Vocabulary.Tasks,
                Modalities = catalog.Vocabulary.Modalities,
                ValidateEveryEpochs = validator is null ? 0 : new TrainerOptions().ValidateEveryEpochs,
                ValidateLastEpochs = validator is null ? 0 : new TrainerOptions().ValidateLastEpochs,
            };
            return new Trainer(model, loss, optimizer, trainerOptions, schedule, average, validator,
                (loggerFactory ?? NullLoggerFactory.Instance).CreateLogger<Trainer>());
        }
        catch
        {
            optimizer.Dispose();
            average?.Dispose();
            throw;
        }
    }
}
