using System.Diagnostics;
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
/// The task-specific baseline: a plain ResUNet (<see cref="TaskSpecificSegmenter"/>, no priors) with one output channel
/// per label of its single dataset, trained with the same loss (BCE + adaptive Dice per class, sigmoid outputs), optimiser,
/// schedule, EMA and batches as Hermes-R, and evaluated through the same <see cref="VolumePredictor"/>. The library's
/// <see cref="Trainer"/> drives <see cref="UniversalSegmenter"/>s only, so the loop is written out here.
/// </summary>
public sealed class TaskSpecificModel : IExperimentModel
{
    private readonly ExperimentSettings settings;
    private readonly TaskCatalog catalog;
    private readonly ModelSidecar sidecar;
    private readonly PredictorValidator validator;
    private readonly TaskSpecificSegmenter model;
    private readonly TaskSpecificSegmenter? average;
    private readonly ITrainingOptimizer optimizer;
    private readonly WarmupDecaySchedule schedule;
    private readonly IReadOnlyList<(ILossTerm Term, double Weight)> loss;
    private readonly ILogger logger;

    /// <summary>Builds the model (seeded).</summary>
    /// <param name="settings">The experiment (one dataset).</param>
    /// <param name="catalog">Its catalog.</param>
    /// <param name="sidecar">The sidecar saved with the model.</param>
    /// <param name="validator">Periodic validation (curve).</param>
    /// <param name="logger">Logger.</param>
    public TaskSpecificModel(ExperimentSettings settings, TaskCatalog catalog, ModelSidecar sidecar, PredictorValidator validator, ILogger logger)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(catalog);
        this.settings = settings;
        this.catalog = catalog;
        this.sidecar = sidecar;
        this.validator = validator;
        this.logger = logger;
        var t = settings.Training;
        var classes = catalog.Vocabulary.Tasks.Count;
        var backbone = new ResUNetOptions { BaseChannels = settings.Model.BaseChannels, InputChannels = 1 };
        random.manual_seed(t.Seed);
        model = TaskSpecificSegmenter.ResUNet(backbone, classes);
        average = t.EmaDecay > 0 ? TaskSpecificSegmenter.ResUNet(backbone, classes) : null;
        optimizer = t.CreateOptimizer(model.parameters());
        schedule = new WarmupDecaySchedule(new WarmupDecayOptions
        {
            BaseLearningRate = t.LearningRate,
            WarmupEpochs = t.WarmupEpochs,
            TotalEpochs = t.Steps / t.StepsPerEpoch,
            StepsPerEpoch = t.StepsPerEpoch,
            PerEpoch = false,
        });
        loss = HermesLoss.Create(classes + 1, modalityWeight: 0).Terms;
    }

    /// <inheritdoc />
    public Task TrainAsync(TrainingBatchSource source, TrainingCurve curve, CancellationToken cancellationToken) =>
        Task.Factory.StartNew(() => Train(source, curve, cancellationToken), cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default);

    private void Train(TrainingBatchSource source, TrainingCurve curve, CancellationToken cancellationToken)
    {
        var t = settings.Training;
        set_num_threads(t.Threads > 0 ? t.Threads : Environment.ProcessorCount);

        random.manual_seed(t.Seed);
        var ema = average is null ? null : new ExponentialMovingAverage(model, average, t.EmaDecay);
        var classes = catalog.Vocabulary.Tasks.Count;
        var clock = Stopwatch.StartNew();
        using var prefetcher = source.Prefetch(0, source.PrefetchCapacity, cancellationToken); // batch n depends only on the seed and n
        for (long step = 0; step < t.Steps; step++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var lr = schedule.LearningRate(step);
            optimizer.LearningRate = lr;
            model.train();
            optimizer.ZeroGrad();
            double total;
            var terms = new Dictionary<string, double>(StringComparer.Ordinal);
            using (var batch = prefetcher.Next())
            using (var scope = NewDisposeScope())
            {
                var logits = model.forward(batch.Image);
                var input = new LossInput(logits, batch.Labels.narrow(1, 0, classes), batch.TaskIndices.narrow(1, 0, classes), null, null, []);
                Tensor? sum = null;
                foreach (var (term, weight) in loss)
                {
                    var value = term.Compute(input);
                    terms[term.Name] = value.item<float>();
                    sum = sum is null ? value.mul(weight) : sum.add(value.mul(weight));
                }

                total = sum!.item<float>();
                if (!double.IsFinite(total))
                {
                    throw new InvalidOperationException($"The loss is {total} at step {step}; the weights were not updated.");
                }

                sum.backward();
            }

            optimizer.Step();
            optimizer.ZeroGrad();
            ema?.Update(step);
            var done = step + 1;
            var elapsed = clock.Elapsed.TotalSeconds;
            TimeSpan? eta = TimeSpan.FromSeconds(elapsed / done * (t.Steps - done));
            curve.Report(new TrainingProgress((int)(step / t.StepsPerEpoch), done, t.Steps, total, terms, lr, done * t.BatchSize / elapsed, eta, null));
            var epoch = (int)(step / t.StepsPerEpoch);
            var endOfEpoch = done % t.StepsPerEpoch == 0;
            if (endOfEpoch && ((t.ValidateEveryEpochs > 0 && (epoch + 1) % t.ValidateEveryEpochs == 0) || done == t.Steps))
            {
                var target = average ?? model;
                target.eval();
                using var noGrad = no_grad();
                var report = validator.Score(Predictor(target), cancellationToken);
                curve.Report(new TrainingProgress(epoch, done, t.Steps, total, terms, lr, done * t.BatchSize / elapsed, eta, report));
            }
        }

        logger.LogInformation("task-specific training finished: {Steps} steps in {Seconds:F0} s", t.Steps, clock.Elapsed.TotalSeconds);
    }

    private VolumePredictor Predictor(TaskSpecificSegmenter network) =>
        new(sidecar, (tasks, _) => new TaskSpecificWindowPredictor(network, tasks));

    /// <inheritdoc />
    public void Save(string safetensorsPath)
    {
        var target = average ?? model;
        CheckpointWriter.Save(safetensorsPath, target, sidecar);
    }

    /// <inheritdoc />
    public (VolumePredictor Predictor, IDisposable Model) LoadPredictor(string safetensorsPath)
    {
        var (state, saved) = CheckpointReader.Load(safetensorsPath);
        var classes = saved.Tasks.Count;
        var loaded = TaskSpecificSegmenter.ResUNet(new ResUNetOptions { BaseChannels = settings.Model.BaseChannels, InputChannels = 1 }, classes);
        try
        {
            StateDictLoader.Load(loaded, state);
        }
        finally
        {
            foreach (var tensor in state.Values)
            {
                tensor.Dispose();
            }
        }

        loaded.eval();
        return (new VolumePredictor(saved, (tasks, _) => new TaskSpecificWindowPredictor(loaded, tasks)), loaded);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        optimizer.Dispose();
        average?.Dispose();
        model.Dispose();
    }
}
