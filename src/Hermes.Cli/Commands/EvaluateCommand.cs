using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Hermes.IO;
using Hermes.Metrics;
using Hermes.Runtime;
using Hermes.Volumes;
using static TorchSharp.torch;

namespace Hermes.Cli.Commands;

/// <summary>
/// <c>hermes evaluate --pred dir --ref dir --labels map.json --metrics dice,hd95,nsd --tolerance 2 --out report.csv</c>:
/// per case and task metrics in physical spacing. Every reference volume <c>ref/case.ext</c> needs a prediction, either a
/// label map <c>pred/case.nii.gz</c> (any supported format/extension) or per-task masks <c>pred/case/task.nii.gz</c>; both
/// must lie on the same grid. <c>map.json</c> maps task names to label values (<c>{"liver": 1, "spleen": 2}</c>), used in the
/// reference and in predicted label maps. Metrics: <c>dice</c>, <c>iou</c>, <c>hd95</c> (or <c>hdNN</c>, <c>hd</c> = max),
/// <c>assd</c>, <c>nsd</c> (at <c>--tolerance</c> mm). The report is CSV (<c>case,task,metric,value</c>) or JSON by extension;
/// a summary (mean per task and metric) goes to stdout.
/// </summary>
internal static class EvaluateCommand
{
    private static readonly string[] VolumeExtensions = [".nii.gz", ".nii", ".nrrd", ".nhdr", ".mha", ".mhd", ".hdr"];

    public static Command Create()
    {
        var pred = new Option<string>("--pred") { Description = "Folder of predictions (label maps case.nii.gz, or case/task.nii.gz masks).", Required = true };
        var reference = new Option<string>("--ref") { Description = "Folder of reference label maps (case.nii.gz).", Required = true };
        var labels = new Option<string>("--labels") { Description = "A JSON file mapping task → label value, e.g. {\"liver\": 1} (predict writes it as labels.json).", Required = true };
        var metrics = new Option<string>("--metrics") { Description = "Comma-separated: dice, iou, hd95 (hdNN, hd), assd, nsd.", DefaultValueFactory = _ => "dice,hd95,nsd" };
        var tolerance = new Option<double>("--tolerance") { Description = "NSD tolerance in mm.", DefaultValueFactory = _ => 2.0 };
        var output = new Option<string>("--out") { Description = "Report path (.csv or .json).", Required = true };
        var command = new Command("evaluate", "Dice, IoU, HD95, ASSD and NSD of predictions against references, in physical spacing.")
        {
            pred, reference, labels, metrics, tolerance, output,
        };
        var reading = new VolumeReadArguments();
        foreach (var option in reading.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(parse =>
        {
            if (reading.Read(parse, out var error) is not { } readOptions)
            {
                Console.Error.WriteLine($"hermes evaluate: {error}");
                return 2;
            }

            return Run(parse.GetValue(pred)!, parse.GetValue(reference)!, parse.GetValue(labels)!, parse.GetValue(metrics)!, parse.GetValue(tolerance), parse.GetValue(output)!, readOptions);
        });
        return command;
    }

    internal static int Run(string predFolder, string refFolder, string labelsPath, string metricList, double tolerance, string outputPath, VolumeReadOptions? readOptions = null)
    {
        try
        {
            HermesRuntime.EnsureInitialized();
            var options = ParseMetrics(metricList, tolerance);
            options.Validate();
            var labels = ReadLabels(labelsPath);
            var maskFiles = MaskFiles(predFolder, labels);
            var evaluator = new SegmentationEvaluator(options);
            var report = new MetricReport();
            var references = Directory.GetFiles(refFolder).Where(f => Extension(f) is not null).Order(StringComparer.Ordinal).ToList();
            if (references.Count == 0)
            {
                throw new FileNotFoundException($"No reference volumes ({string.Join(", ", VolumeExtensions)}) in '{refFolder}'.");
            }

            foreach (var (refPath, index) in references.Select((r, i) => (r, i)))
            {
                var caseName = Path.GetFileName(refPath)[..^Extension(refPath)!.Length];
                using var refVolume = VolumeIO.Read(refPath, readOptions);
                var geometry = refVolume.Geometry;
                var spacing = new VoxelSpacing(geometry.Spacing[2], geometry.Spacing[1], geometry.Spacing[0]);
                var labelMapPath = VolumeExtensions.Select(e => Path.Combine(predFolder, caseName + e)).FirstOrDefault(File.Exists);
                var maskFolder = Path.Combine(predFolder, caseName);
                using var predMap = labelMapPath is not null ? VolumeIO.Read(labelMapPath, readOptions) : null;
                if (predMap is null && !Directory.Exists(maskFolder))
                {
                    throw new FileNotFoundException($"Case '{caseName}': no prediction '{Path.Combine(predFolder, caseName)}.nii.gz' nor folder '{maskFolder}'.");
                }

                foreach (var (task, label) in labels)
                {
                    using var scope = NewDisposeScope();
                    var expected = refVolume.Data[0].eq(label);
                    Tensor predicted;
                    if (predMap is not null)
                    {
                        CheckGrid(predMap.Geometry, geometry, labelMapPath!, refPath);
                        predicted = predMap.Data[0].eq(label);
                    }
                    else
                    {
                        var maskPath = maskFiles[task].Select(f => Path.Combine(maskFolder, f)).FirstOrDefault(File.Exists)
                            ?? throw new FileNotFoundException($"Case '{caseName}': no mask for task '{task}' in '{maskFolder}' ({string.Join(" or ", maskFiles[task])}).");
                        using var mask = VolumeIO.Read(maskPath, readOptions);
                        CheckGrid(mask.Geometry, geometry, maskPath, refPath);
                        predicted = mask.Data[0].ne(0);
                    }

                    evaluator.Evaluate(report, caseName, task, predicted, expected, spacing);
                }

                // Progress on standard error (the summary and the report are the output): one line a case.
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{caseName}: evaluated {index + 1}/{references.Count}"));
            }

            if (outputPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
            {
                MetricReportWriter.WriteJson(report, outputPath);
            }
            else
            {
                MetricReportWriter.WriteCsv(report, outputPath);
            }

            foreach (var s in report.Summarize())
            {
                Console.Out.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{s.Task}\t{s.Metric}\tmean {s.Mean:G6}\tmedian {s.Median:G6}\tcases {s.Cases}"));
            }

            return 0;
        }
        catch (Exception e) when (e is ArgumentException or IOException or JsonException or InvalidDataException or VolumeFormatException or NotSupportedException or HermesNativeRuntimeException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"hermes evaluate: {VolumeReadArguments.Explain(e)}");
            return 1;
        }
    }

    internal static EvaluationOptions ParseMetrics(string list, double tolerance)
    {
        var options = new EvaluationOptions { Metrics = SegmentationMetrics.None, ToleranceMm = tolerance };
        foreach (var name in list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(n => n.ToLowerInvariant()))
        {
            switch (name)
            {
                case "dice":
                    options.Metrics |= SegmentationMetrics.Dice;
                    break;
                case "iou":
                    options.Metrics |= SegmentationMetrics.IoU;
                    break;
                case "assd":
                    options.Metrics |= SegmentationMetrics.AverageSymmetricSurfaceDistance;
                    break;
                case "nsd":
                    options.Metrics |= SegmentationMetrics.NormalizedSurfaceDice;
                    break;
                case "hd":
                    options.Metrics |= SegmentationMetrics.Hausdorff;
                    options.HausdorffPercentile = 100;
                    break;
                case var hd when hd.StartsWith("hd", StringComparison.Ordinal) && double.TryParse(hd[2..], NumberStyles.Float, CultureInfo.InvariantCulture, out var percentile):
                    options.Metrics |= SegmentationMetrics.Hausdorff;
                    options.HausdorffPercentile = percentile;
                    break;
                default:
                    throw new ArgumentException($"--metrics: '{name}' is not a metric (dice, iou, hd95, hdNN, hd, assd, nsd).");
            }
        }

        return options.Metrics == SegmentationMetrics.None ? throw new ArgumentException("--metrics: name at least one metric.") : options;
    }

    private static List<(string Task, int Label)> ReadLabels(string path)
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        if (doc.RootElement.ValueKind != JsonValueKind.Object)
        {
            throw new InvalidDataException($"{path}: expected a JSON object task → label value.");
        }

        var labels = new List<(string, int)>();
        foreach (var p in doc.RootElement.EnumerateObject())
        {
            if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetInt32(out var v) || v <= 0)
            {
                throw new InvalidDataException($"{path}: label of '{p.Name}' = {p.Value.GetRawText()} is not a positive integer.");
            }

            labels.Add((p.Name, v));
        }

        return labels.Count > 0 ? labels : throw new InvalidDataException($"{path}: no labels.");
    }

    /// <summary>
    /// The candidate mask file names of each task in a case folder: from <c>pred/masks.json</c> (written by
    /// <c>hermes predict --masks</c>) when present, else the safe names <c>predict</c> gives (<see cref="SafeFileName.Map"/>)
    /// with every volume extension. Names are data: one that is not a plain file name is refused.
    /// </summary>
    private static Dictionary<string, string[]> MaskFiles(string predFolder, List<(string Task, int Label)> labels)
    {
        var index = Path.Combine(predFolder, "masks.json");
        var stems = SafeFileName.Map([.. labels.Select(l => l.Task)]);
        var files = labels.Select((l, i) => (l.Task, Files: VolumeExtensions.Select(e => stems[i] + e).ToArray())).ToDictionary(p => p.Task, p => p.Files, StringComparer.Ordinal);
        if (!File.Exists(index))
        {
            return files;
        }

        using var doc = JsonDocument.Parse(File.ReadAllText(index));
        foreach (var p in doc.RootElement.ValueKind == JsonValueKind.Object ? doc.RootElement.EnumerateObject() : throw new InvalidDataException($"{index}: expected a JSON object task → mask file name."))
        {
            var name = p.Value.ValueKind == JsonValueKind.String ? p.Value.GetString()! : "";
            if (name.Length == 0 || Path.GetFileName(name) != name || name is "." or ".." || name.Contains('\\', StringComparison.Ordinal))
            {
                throw new InvalidDataException($"{index}: the file of task '{p.Name}' = {p.Value.GetRawText()} is not a file name in the case folder.");
            }

            if (files.ContainsKey(p.Name))
            {
                files[p.Name] = [name];
            }
        }

        return files;
    }

    private static void CheckGrid(VolumeGeometry prediction, VolumeGeometry reference, string predPath, string refPath)
    {
        if (!prediction.IsSameGrid(reference))
        {
            throw new InvalidDataException($"'{predPath}' ({prediction}) is not on the grid of its reference '{refPath}' ({reference}).");
        }
    }

    private static string? Extension(string path) => VolumeExtensions.FirstOrDefault(e => path.EndsWith(e, StringComparison.OrdinalIgnoreCase));
}
