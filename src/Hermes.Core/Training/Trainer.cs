using System.Diagnostics;
using System.Text.Json.Nodes;
using Hermes.Abstractions;
using Hermes.Data;
using Hermes.Runtime;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Training;

/// <summary>
/// Trains a <see cref="UniversalSegmenter"/> on batches from an <see cref="IBatchSource"/>: forward, weighted loss
/// terms, backward, learning-rate schedule, optimiser step, weight EMA, periodic validation of the EMA model,
/// checkpoints that resume bit-exactly, progress reports and a JSON-lines metrics log (reference §10).
/// </summary>
/// <remarks>
/// <para>Precision: training runs in float32 everywhere; the trainer rejects models whose parameters are not float32.
/// TorchSharp has no autocast, so PyTorch-style mixed precision (bf16 matmuls/convolutions with float32 master weights,
/// GradScaler) is not available, and converting the whole model to bf16 would keep weights and LAMB moments in bf16,
/// where updates of lr·u ≪ one ulp of the weight are lost — unsafe for training. bf16 is supported for inference on
/// CUDA by converting a trained model (see the inference layer); training in bf16 is not supported.</para>
/// <para>Determinism: a run is a function of the model's initial weights, <see cref="TrainerOptions.Seed"/>, the batch
/// source (batch k depends on k only, see <see cref="IBatchSource"/>) and the thread count; a checkpoint stores the
/// model, EMA, optimiser state, torch generator state and step, so a resumed run continues exactly.</para>
/// <para>The loss is <c>Σ wᵢ·termᵢ</c> over the given terms; with <c>HermesLoss.Create(tn)</c> (Hermes.Priors) pass its
/// <c>Terms</c>. Null task columns (−1) must carry no loss; the Hermes terms guarantee it.</para>
/// </remarks>
public sealed class Trainer : IDisposable
{
    /// <summary>Name of the checkpoint metadata entry that holds the JSON training state.</summary>
    public const string CheckpointMetadataKey = "hermes.training";

    private readonly (ILossTerm Term, double Weight)[] loss;
    private readonly ILearningRateSchedule? schedule;
    private readonly ExponentialMovingAverage? ema;
    private readonly IValidator? validator;
    private readonly ILogger logger;
    private readonly Device device;
    private MetricsLog? metrics;
    private bool disposed;

    /// <summary>Creates a trainer.</summary>
    /// <param name="model">The model to train (float32 parameters, on the device training should run on).</param>
    /// <param name="loss">Loss terms and weights (for example <c>HermesLoss.Create(tn).Terms</c>).</param>
    /// <param name="optimizer">The optimiser over <paramref name="model"/>'s parameters.</param>
    /// <param name="options">Run options.</param>
    /// <param name="schedule">Learning-rate schedule; <see langword="null"/> keeps the optimiser's rate.</param>
    /// <param name="averageModel">A second model of the same architecture for the weight EMA; <see langword="null"/>: no EMA
    /// (validation then scores the trained model).</param>
    /// <param name="validator">Validation run after the epochs <see cref="TrainerOptions.ValidatesAfter"/> selects; optional.</param>
    /// <param name="logger">Logger; optional.</param>
    public Trainer(
        UniversalSegmenter model,
        IReadOnlyList<(ILossTerm Term, double Weight)> loss,
        ITrainingOptimizer optimizer,
        TrainerOptions options,
        ILearningRateSchedule? schedule = null,
        UniversalSegmenter? averageModel = null,
        IValidator? validator = null,
        ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(loss);
        ArgumentNullException.ThrowIfNull(optimizer);
        ArgumentNullException.ThrowIfNull(options);
        HermesRuntime.EnsureInitialized();
        options.Validate();
        if (loss.Count == 0)
        {
            throw new ArgumentException("At least one loss term is required.", nameof(loss));
        }

        var names = loss.Select(t => t.Term?.Name ?? throw new ArgumentException("A loss term is null.", nameof(loss))).ToArray();
        var duplicate = names.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"Two loss terms are named '{duplicate.Key}'; names must be unique.", nameof(loss));
        }

        var nonFloat = model.named_parameters().FirstOrDefault(p => p.parameter.dtype != ScalarType.Float32);
        if (nonFloat.name is not null)
        {
            throw new ArgumentException(
                $"Parameter '{nonFloat.name}' is {nonFloat.parameter.dtype}; training runs in float32 only (TorchSharp has no autocast).",
                nameof(model));
        }

        Model = model;
        this.loss = [.. loss];
        Optimizer = optimizer;
        Options = options;
        this.schedule = schedule;
        this.validator = validator;
        this.logger = logger ?? NullLogger.Instance;
        device = model.parameters().First().device;
        if (averageModel is not null)
        {
            var averageDevice = averageModel.parameters().First().device;
            if (averageDevice.type != device.type || averageDevice.index != device.index)
            {
                throw new ArgumentException(
                    $"The averaged model is on {averageDevice}; the model is on {device}. Move both to the same device first.",
                    nameof(averageModel));
            }

            averageModel.eval();
            ema = new ExponentialMovingAverage(model, averageModel, options.EmaDecay);
            AverageModel = averageModel;
        }
    }

    /// <summary>The trained model.</summary>
    public UniversalSegmenter Model { get; }

    /// <summary>The EMA model, or null without EMA.</summary>
    public UniversalSegmenter? AverageModel { get; }

    /// <summary>The optimiser.</summary>
    public ITrainingOptimizer Optimizer { get; }

    /// <summary>The options.</summary>
    public TrainerOptions Options { get; }

    /// <summary>Number of optimiser steps taken (= the global index of the next step).</summary>
    public long Step { get; private set; }

    /// <summary>The 0-based epoch of the next step.</summary>
    public int Epoch => (int)(Step / Options.StepsPerEpoch);

    /// <summary>Best validation mean Dice so far (NaN before the first validation).</summary>
    public double BestMeanDice { get; private set; } = double.NaN;

    /// <summary>Takes one optimiser step on <paramref name="batch"/> (which stays owned by the caller).</summary>
    /// <param name="batch">The batch.</param>
    /// <exception cref="InvalidOperationException">The loss is not finite (the weights are left unchanged).</exception>
    public TrainingStepResult TrainStep(TrainingBatch batch)
    {
        ArgumentNullException.ThrowIfNull(batch);
        ObjectDisposedException.ThrowIf(disposed, this);
        batch.Validate();
        ApplyThreads();
        var step = Step;
        var epoch = Epoch;
        var lr = schedule?.LearningRate(step) ?? Optimizer.LearningRate;
        Optimizer.LearningRate = lr;
        Model.train();
        Optimizer.ZeroGrad();

        double total;
        var terms = new Dictionary<string, double>(StringComparer.Ordinal);
        using (var scope = NewDisposeScope())
        {
            var image = batch.Image.to(device);
            var labels = batch.Labels.to(device);
            var tasks = batch.TaskIndices.to(device);
            var modality = batch.Modality.to(device);
            using var output = Model.forward(image, tasks, modality);
            var input = new LossInput(output.Logits, labels, tasks, output.ModalityLogits, modality, output.AuxiliaryLogits);
            Tensor? sum = null;
            var values = new List<Tensor>();
            foreach (var (term, weight) in loss)
            {
                var value = term.Compute(input);
                values.Add(value.detach().to_type(ScalarType.Float64));
                sum = sum is null ? value.mul(weight) : sum.add(value.mul(weight));
            }

            // One host transfer for all reported numbers.
            var reported = stack([sum!.detach().to_type(ScalarType.Float64), .. values]).cpu().data<double>().ToArray();
            total = reported[0];
            for (var i = 0; i < loss.Length; i++)
            {
                terms[loss[i].Term.Name] = reported[i + 1];
            }

            if (!double.IsFinite(total))
            {
                TrainingLog.NonFiniteLoss(logger, total, step);
                var labelRange = $"[{labels.min().item<sbyte>()}, {labels.max().item<sbyte>()}]";
                var finiteImage = image.isfinite().all().item<bool>();
                var finiteLogits = output.Logits.isfinite().all().item<bool>();
                throw new InvalidOperationException(
                    $"The loss is {total} at step {step} (epoch {epoch}); terms: {string.Join(", ", terms.Select(t => $"{t.Key}={t.Value}"))}; labels in {labelRange}, image finite: {finiteImage}, logits finite: {finiteLogits}. The weights were not updated.");
            }

            sum.backward();
        }

        Optimizer.Step();
        Optimizer.ZeroGrad();
        ema?.Update(step);
        Step = step + 1;
        TrainingLog.StepDone(logger, step, epoch, total, lr);
        return new TrainingStepResult(step, epoch, total, terms, lr, batch.Size);
    }

    /// <summary>Scores the EMA model (or the model without EMA) with the validator.</summary>
    /// <param name="cancellationToken">Stops the pass.</param>
    /// <returns>The report, or null without a validator.</returns>
    public ValidationReport? Validate(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (validator is null)
        {
            return null;
        }

        ApplyThreads();
        var target = AverageModel ?? Model;
        var wasTraining = target.training;
        target.eval();
        try
        {
            using var noGrad = no_grad();
            return validator.Validate(target, cancellationToken);
        }
        finally
        {
            if (wasTraining)
            {
                target.train();
            }
        }
    }

    /// <summary>
    /// Trains from <see cref="Step"/> up to <paramref name="untilStep"/> (default: the end of the run), validating,
    /// checkpointing, logging and reporting progress as configured. The run executes on one dedicated thread; the
    /// batch source's asynchronous work (prefetching) runs wherever the source schedules it.
    /// </summary>
    /// <param name="source">The batch source.</param>
    /// <param name="progress">Receives a report after every step and every validation, synchronously on the training thread.</param>
    /// <param name="untilStep">Stop once this many steps have been taken in total (at most <see cref="TrainerOptions.TotalSteps"/>).</param>
    /// <param name="cancellationToken">Stops after the current step.</param>
    public Task RunAsync(IBatchSource source, IProgress<TrainingProgress>? progress = null, long? untilStep = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(source);
        ObjectDisposedException.ThrowIf(disposed, this);

        // All LibTorch work of the run happens on one dedicated thread: grad mode, dispose scopes and (with OpenMP) the
        // intra-op thread count are per OS thread, and async continuations would otherwise hop between pool threads.
        return Task.Factory.StartNew(() => Run(source, progress, untilStep, cancellationToken), cancellationToken,
            TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private void Run(IBatchSource source, IProgress<TrainingProgress>? progress, long? untilStep, CancellationToken cancellationToken)
    {
        var end = Math.Min(untilStep ?? Options.TotalSteps, Options.TotalSteps);
        if (Step >= end)
        {
            return;
        }

        if (Step == 0)
        {
            random.manual_seed(Options.Seed);
        }

        if (Options.MetricsLogPath is not null)
        {
            metrics ??= new MetricsLog(Options.MetricsLogPath);
        }

        TrainingLog.RunStarted(logger, Step, end, Options.Epochs, Options.StepsPerEpoch, Optimizer.Name, schedule?.Describe() ?? "constant");
        var clock = Stopwatch.StartNew();
        var startStep = Step;
        long samples = 0;
        double epochLoss = 0;
        var epochSteps = 0;
        var batches = source.ReadAsync(Step, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (Step < end)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var next = batches.MoveNextAsync();
                if (!(next.IsCompletedSuccessfully ? next.Result : next.AsTask().GetAwaiter().GetResult()))
                {
                    throw new InvalidOperationException($"The batch source ended at step {Step}; the run needs {end} steps.");
                }

                TrainingStepResult result;
                using (var batch = batches.Current)
                {
                    result = TrainStep(batch);
                }

                samples += result.BatchSize;
                epochLoss += result.Loss;
                epochSteps++;
                var elapsed = clock.Elapsed.TotalSeconds;
                var rate = elapsed > 0 ? samples / elapsed : 0;
                var perStep = elapsed / (Step - startStep);
                TimeSpan? eta = TimeSpan.FromSeconds(perStep * (Options.TotalSteps - Step));
                metrics?.Append(StepRecord(result, rate));
                progress?.Report(new TrainingProgress(result.Epoch, Step, Options.TotalSteps, result.Loss, result.Terms,
                    result.LearningRate, rate, eta, null));

                if (Step % Options.StepsPerEpoch == 0)
                {
                    EndEpoch(result.Epoch, epochLoss / epochSteps, rate, result, eta, progress, cancellationToken);
                    epochLoss = 0;
                    epochSteps = 0;
                }
            }
        }
        finally
        {
            var disposal = batches.DisposeAsync();
            if (!disposal.IsCompletedSuccessfully)
            {
                disposal.AsTask().GetAwaiter().GetResult();
            }
        }
    }

    /// <summary>
    /// Writes a training checkpoint atomically: one safetensors file with the model (<c>model.*</c>), EMA (<c>ema.*</c>),
    /// optimiser state (<c>optimizer.*</c>) and torch generator state (<c>rng.torch</c>), and a JSON entry
    /// (<see cref="CheckpointMetadataKey"/>) with step, epoch, seed, optimiser, schedule, best Dice and vocabularies.
    /// </summary>
    /// <param name="path">The destination file.</param>
    public void SaveCheckpoint(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ObjectDisposedException.ThrowIf(disposed, this);
        TrainingCheckpoint.Save(path, this, schedule?.Describe() ?? "constant");
        TrainingLog.CheckpointWritten(logger, path, Step);
    }

    /// <summary>
    /// Restores a checkpoint written by <see cref="SaveCheckpoint"/> into this trainer (same architecture, optimiser
    /// kind, steps per epoch and vocabularies), so that <see cref="RunAsync"/> continues the run exactly.
    /// </summary>
    /// <param name="path">The checkpoint file.</param>
    /// <exception cref="InvalidDataException">The checkpoint does not fit this trainer; the message names the field.</exception>
    public void LoadCheckpoint(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ObjectDisposedException.ThrowIf(disposed, this);
        var state = TrainingCheckpoint.Load(path, this);
        Step = state.Step;
        BestMeanDice = state.BestMeanDice;
        TrainingLog.Resumed(logger, path, Step, Epoch);
    }

    /// <summary>Closes the metrics log. The model, EMA model and optimiser stay owned by the caller.</summary>
    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        metrics?.Dispose();
    }

    private void EndEpoch(int epoch, double meanLoss, double rate, TrainingStepResult last, TimeSpan? eta,
        IProgress<TrainingProgress>? progress, CancellationToken cancellationToken)
    {
        TrainingLog.EpochDone(logger, epoch, meanLoss, rate);
        metrics?.Append(new JsonObject { ["kind"] = "epoch", ["epoch"] = epoch, ["step"] = Step, ["mean_loss"] = meanLoss });
        var improved = false;
        if (validator is not null && Options.ValidatesAfter(epoch))
        {
            var report = Validate(cancellationToken)!;
            TrainingLog.Validated(logger, epoch, report.MeanDice, report.TaskDice.Count);
            var dice = new JsonObject();
            foreach (var (task, value) in report.TaskDice)
            {
                dice[task.ToString(System.Globalization.CultureInfo.InvariantCulture)] = value;
            }

            metrics?.Append(new JsonObject
            {
                ["kind"] = "validation", ["epoch"] = epoch, ["step"] = Step,
                ["mean_dice"] = double.IsFinite(report.MeanDice) ? report.MeanDice : null, ["task_dice"] = dice,
            });
            progress?.Report(new TrainingProgress(epoch, Step, Options.TotalSteps, last.Loss, last.Terms, last.LearningRate,
                rate, eta, report));
            if (double.IsFinite(report.MeanDice) && (double.IsNaN(BestMeanDice) || report.MeanDice >= BestMeanDice))
            {
                BestMeanDice = report.MeanDice;
                improved = true;
            }
        }

        if (Options.CheckpointDirectory is not null)
        {
            if ((epoch + 1) % Options.CheckpointEveryEpochs == 0 || Step == Options.TotalSteps)
            {
                SaveCheckpoint(Path.Combine(Options.CheckpointDirectory, "latest.safetensors"));
            }

            if (improved)
            {
                SaveCheckpoint(Path.Combine(Options.CheckpointDirectory, "best.safetensors"));
            }
        }
    }

    private void ApplyThreads()
    {
        var threads = Options.EffectiveThreads;
        if (get_num_threads() != threads)
        {
            set_num_threads(threads);
        }
    }

    private static JsonObject StepRecord(TrainingStepResult result, double rate)
    {
        var terms = new JsonObject();
        foreach (var (name, value) in result.Terms)
        {
            terms[name] = value;
        }

        return new JsonObject
        {
            ["kind"] = "step", ["step"] = result.Step, ["epoch"] = result.Epoch, ["loss"] = result.Loss, ["terms"] = terms,
            ["lr"] = result.LearningRate, ["samples_per_s"] = rate,
        };
    }
}
