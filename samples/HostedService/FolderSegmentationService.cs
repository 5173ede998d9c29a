using Hermes.Abstractions;
using Hermes.DependencyInjection;
using Hermes.Inference;
using Hermes.IO;
using Hermes.Volumes;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using static TorchSharp.torch;

namespace Hermes.Samples.HostedService;

/// <summary>
/// Segments every volume dropped into the input folder with the configured tasks and writes an int16 label map (task k of
/// the configured list = label k + 1) with the same geometry into the output folder.
/// </summary>
public sealed partial class FolderSegmentationService(
    ISegmenterFactory segmenters,
    IPredictorFactory predictors,
    IOptions<HermesOptions> hermes,
    IOptions<FolderOptions> folders,
    ILogger<FolderSegmentationService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var f = folders.Value;
        Directory.CreateDirectory(f.Input);
        Directory.CreateDirectory(f.Output);
        using var model = segmenters.Create();
        var predictor = predictors.Create(model);
        var tasks = hermes.Value.Tasks.ToList();
        var labels = Enumerable.Range(1, tasks.Count).ToArray();
        LogWatching(logger, Path.GetFullPath(f.Input), string.Join(", ", tasks));
        while (!stoppingToken.IsCancellationRequested)
        {
            foreach (var path in Directory.EnumerateFiles(f.Input, "*.nii*").Order(StringComparer.Ordinal))
            {
                var target = Path.Combine(f.Output, Path.GetFileName(path));
                if (!File.Exists(target))
                {
                    Segment(predictor, path, target, tasks, labels, f.Modality, stoppingToken);
                    LogSegmented(logger, path, target);
                }
            }

            await Task.Delay(f.PollInterval, stoppingToken).ConfigureAwait(false);
        }
    }

    private static void Segment(SegmentationPredictor predictor, string path, string target, List<string> tasks, int[] labels, string modality, CancellationToken token)
    {
        using var scope = NewDisposeScope();
        using var volume = VolumeIO.Read(path);
        var image = volume.Data.to(ScalarType.Float32);
        image = image.sub(image.mean()).div(image.std().clamp_min(1e-6)); // z-score, as the model was trained
        var probabilities = predictor.PredictProbabilities(image, tasks, modality, token);
        var map = SegmentationDecision.ToLabelMap(probabilities, labels, predictor.Threshold);
        using var output = new Volume(map.alias(), volume.Geometry);
        VolumeIO.Write(output, target);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Watching {Folder} for volumes; tasks {Tasks}")]
    private static partial void LogWatching(ILogger logger, string folder, string tasks);

    [LoggerMessage(Level = LogLevel.Information, Message = "Segmented {Input} -> {Output}")]
    private static partial void LogSegmented(ILogger logger, string input, string output);
}
