using System.Diagnostics;
using System.Globalization;
using Hermes.Augmentation;
using Hermes.Data;
using Hermes.IO;
using Hermes.Metrics;
using Hermes.Runtime;
using Hermes.Visualization;
using Hermes.Volumes;
using Microsoft.Extensions.Logging;
using static TorchSharp.torch;

namespace Hermes.Experiments;

/// <summary>
/// Runs one experiment end to end: cases from the shared manifest → preprocessing cache → training (curve, checkpoints,
/// metrics log) → model + sidecar saved → every scored case predicted from the saved files through the volume predictor
/// at its original geometry and scored (Dice, HD95, NSD) → metrics CSV/JSON, summary, training-curve PNG, overlays.
/// </summary>
/// <param name="logger">Progress and results go here.</param>
public sealed class ExperimentRunner(ILogger logger)
{
    /// <summary>Runs the experiment.</summary>
    /// <param name="settings">The experiment.</param>
    /// <param name="paths">Input and output folders.</param>
    /// <param name="cancellationToken">Stops training after the current step.</param>
    /// <returns>The result (also written under <see cref="ExperimentPaths.Output"/>).</returns>
    public async Task<ExperimentResult> RunAsync(ExperimentSettings settings, ExperimentPaths paths, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(paths);
        var total = Stopwatch.StartNew();
        var started = DateTimeOffset.UtcNow;
        var loadAtStart = MachineInfo.LoadAverage();
        HermesRuntime.EnsureInitialized();
        var output = Directory.CreateDirectory(paths.Output).FullName;
        logger.LogInformation("experiment {Name}{Quick}: {Description}", settings.Name, settings.IsQuick ? " (quick)" : "", settings.Description);

        var clock = Stopwatch.StartNew();
        var (data, preprocessing, preprocessed) = Prepare(settings, paths);
        var preprocessingSeconds = clock.Elapsed.TotalSeconds;

        try
        {
            var sidecar = ExperimentSidecar.Create(settings, data.Catalog, preprocessing, HermesRModel.TaskCount(data.Catalog));
            var curveCases = data.Cases.Where(c => c.Role == CaseRole.Validation
                && (settings.Training.CurveDatasets.Count == 0 || settings.Training.CurveDatasets.Contains(c.Dataset.Name, StringComparer.Ordinal))).ToList();
            var validator = new PredictorValidator(curveCases, data.Catalog, PredictorValidator.ForUniversal(sidecar), settings.Inference);
            using IExperimentModel model = settings.Model.Kind == ModelSettings.HermesR
                ? new HermesRModel(settings, data.Catalog, sidecar, validator, output, logger)
                : new TaskSpecificModel(settings, data.Catalog, sidecar, validator, logger);
            var source = new TrainingBatchSource(data.Catalog, preprocessed, new TrainingBatchOptions
            {
                BatchSize = settings.Training.BatchSize,
                PatchSize = settings.Model.PatchSize,
                ForegroundRatio = settings.Training.ForegroundRatio,
                Seed = (ulong)settings.Training.Seed,
                MaxParallelism = 1,
            }, Augmenter(settings.Training));

            clock.Restart();
            var curve = new TrainingCurve(data.Catalog, logger) { LogEvery = Math.Max(1, Math.Min(100, settings.Training.Steps / 20)) };
            await model.TrainAsync(source, curve, cancellationToken).ConfigureAwait(false);
            var trainingSeconds = clock.Elapsed.TotalSeconds;

            var modelPath = paths.ModelPath(settings.Name);
            Directory.CreateDirectory(Path.GetDirectoryName(modelPath)!);
            model.Save(modelPath);
            logger.LogInformation("model saved: {Path} (+ sidecar {Sidecar})", modelPath, Path.ChangeExtension(modelPath, ".json"));

            clock.Restart();
            var metrics = await Task.Factory.StartNew(() => Evaluate(settings, data, model, modelPath, output, cancellationToken),
                cancellationToken, TaskCreationOptions.LongRunning, TaskScheduler.Default).ConfigureAwait(false);
            var evaluationSeconds = clock.Elapsed.TotalSeconds;

            TrainingCurveChart.Write([.. curve.Steps.Select(s => (s.Step, s.Loss))], [.. curve.Validations.Select(v => (v.Step, v.MeanDice))],
                $"{settings.Name}{(settings.IsQuick ? " (quick)" : "")}", Path.Combine(output, "training-curve.png"));
            curve.WriteCsv(Path.Combine(output, "training-curve.csv"));
            var timings = new Dictionary<string, double>
            {
                ["preprocessing_s"] = preprocessingSeconds,
                ["training_s"] = trainingSeconds,
                ["evaluation_s"] = evaluationSeconds,
                ["total_s"] = total.Elapsed.TotalSeconds,
                ["seconds_per_step"] = curve.SecondsPerStep,
                ["cpu_seconds_per_step"] = curve.CpuSecondsPerStep,
            };
            var summaryPath = Path.Combine(output, "summary.json");
            var result = new ExperimentResult(settings, metrics, curve, modelPath, timings, summaryPath);
            ExperimentReport.Write(result, data, paths, started, loadAtStart, MachineInfo.LoadAverage());
            foreach (var d in settings.Datasets)
            {
                logger.LogInformation("{Dataset}: mean Dice {Dice} over {Cases} scored case(s)", d.Name,
                    result.MeanDice(d.Name).ToString("F4", CultureInfo.InvariantCulture), metrics.Where(m => m.Dataset == d.Name).Select(m => m.Case).Distinct().Count());
            }

            logger.LogInformation("done in {Seconds:F0} s: {Summary}", total.Elapsed.TotalSeconds, summaryPath);
            return result;
        }
        finally
        {
            foreach (var c in preprocessed)
            {
                c.Dispose();
            }
        }
    }

    /// <summary>
    /// Lists the experiment's cases (writing prepared copies where a dataset asks for them), writes <c>split.json</c> and
    /// preprocesses the training cases into the cache — everything before training (<c>--prepare-only</c>).
    /// </summary>
    /// <param name="settings">The experiment.</param>
    /// <param name="paths">Input and output folders.</param>
    /// <returns>The data, the preprocessing settings and the opened training cases (dispose them).</returns>
    public (ExperimentData Data, PreprocessingOptions Preprocessing, IReadOnlyList<PreprocessedCase> Training) Prepare(ExperimentSettings settings, ExperimentPaths paths)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(paths);
        HermesRuntime.EnsureInitialized();
        var output = Directory.CreateDirectory(paths.Output).FullName;
        var clock = Stopwatch.StartNew();
        var data = ExperimentData.Load(settings, paths.Manifest, Path.Combine(output, "derived"), logger);
        ExperimentReport.WriteSplit(data, Path.Combine(output, "split.json"));
        var preprocessing = new PreprocessingOptions { TargetSpacing = settings.Preprocessing.TargetSpacing };
        var cache = new PreprocessingCache(paths.CacheFolder, data.Catalog, preprocessing, logger);
        var training = data.TrainingCases.ToList();
        var preprocessed = cache.OpenAll([.. training.Select(c => c.Reference)], Environment.ProcessorCount);
        logger.LogInformation("{Train} training cases ({Hits} cached, {Misses} preprocessed in {Seconds:F1} s); {Scored} scored cases; {Tasks} tasks, {Modalities} modalities",
            training.Count, cache.Hits, cache.Misses, clock.Elapsed.TotalSeconds, data.ScoredCases.Count(), data.Catalog.Vocabulary.Tasks.Count, data.Catalog.Vocabulary.Modalities.Count);
        foreach (var c in preprocessed.DistinctBy(c => c.Dataset))
        {
            logger.LogInformation("{Dataset}: e.g. {Case} preprocessed to {Shape} (C, D, H, W)", c.Dataset, c.CaseId, string.Join("×", c.Shape));
        }

        return (data, preprocessing, preprocessed);
    }

    private static BatchAugmenter? Augmenter(TrainingSettings t) =>
        t.SpatialAugmentation <= 0 && t.IntensityAugmentation <= 0
            ? null
            : new BatchAugmenter(new AugmentationOptions
            {
                SpatialProbability = t.SpatialAugmentation,
                Scale = (0.85, 1.15),
                MaxRotationDegrees = 15,
                MaxShear = 0.05,
                IntensityProbabilityOverride = t.IntensityAugmentation,
            });

    /// <summary>
    /// Predicts every scored case with the model loaded back from its files, on a fresh thread with LibTorch's default
    /// thread count (as a <c>hermes predict</c> process has), and scores it as <c>hermes evaluate</c> does.
    /// </summary>
    private List<CaseMetric> Evaluate(ExperimentSettings settings, ExperimentData data, IExperimentModel model, string modelPath, string output, CancellationToken cancellationToken)
    {
        var (predictor, owned) = model.LoadPredictor(modelPath);
        using var ownedModel = owned;
        var evaluator = new SegmentationEvaluator(new EvaluationOptions { ToleranceMm = settings.Inference.ToleranceMm });
        var metrics = new List<CaseMetric>();
        var overlays = 0;
        foreach (var c in data.ScoredCases)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            using var map = CasePrediction.Predict(predictor, c, settings.Inference, cancellationToken);
            using var reference = VolumeIO.Read(c.LabelPath);
            var g = reference.Geometry;
            var spacing = new VoxelSpacing(g.Spacing[2], g.Spacing[1], g.Spacing[0]);
            var report = new MetricReport();
            var labels = reference.Data[0]; // compared with eq(value), as hermes evaluate does
            for (var t = 0; t < c.Dataset.Labels.Count; t++)
            {
                evaluator.Evaluate(report, c.Reference.CaseId, c.Dataset.Labels[t].Task, map.Data[0].eq(t + 1), labels.eq(c.Dataset.Labels[t].Value), spacing);
            }

            metrics.AddRange(report.Records.Select(r => new CaseMetric(c.Dataset.Name, r.Case, c.Role, r.Task, r.Metric, r.Value)));
            var folder = Directory.CreateDirectory(Path.Combine(output, "predictions", c.Dataset.Name)).FullName;
            VolumeIO.Write(map, Path.Combine(folder, Safe(c.Reference.CaseId) + ".nii.gz"), new VolumeWriteOptions { DataType = VoxelType.UInt8, IsLabel = true });
            if (c.Role == CaseRole.Validation && overlays < settings.OverlayCases)
            {
                using var image = VolumeIO.Read(c.ImagePath);
                var dice = report.Records.Where(r => r.Metric == "dice").Select(r => r.Value).DefaultIfEmpty(double.NaN).Average();
                var caption = string.Create(CultureInfo.InvariantCulture, $"{c.Reference.CaseId}  REF | PRED  DICE {dice:F3}");
                var overlayFolder = Directory.CreateDirectory(Path.Combine(output, "overlays")).FullName;
                OverlayImage.Write(image, reference, map, [.. c.Dataset.Labels.Select(l => l.Value)], caption, Path.Combine(overlayFolder, $"{c.Dataset.Name}_{Safe(c.Reference.CaseId)}.png"));
                overlays++;
            }

            logger.LogInformation("scored {Case}: {Dice}", c.Key, string.Join(", ", report.Records.Where(r => r.Metric == "dice").Select(r => $"{r.Task} {r.Value.ToString("F4", CultureInfo.InvariantCulture)}")));
        }

        return metrics;
    }

    private static string Safe(string name) => new([.. name.Select(ch => char.IsLetterOrDigit(ch) || ch is '-' or '_' or '.' ? ch : '_')]);
}
