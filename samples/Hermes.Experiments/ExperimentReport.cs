using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hermes.Runtime;

namespace Hermes.Experiments;

/// <summary>
/// Writes an experiment's results: <c>split.json</c>, <c>metrics.csv</c> (one row per case, task and metric),
/// <c>summary.json</c> (settings, machine, timings, per-dataset and per-task statistics, the commands that reproduce the
/// numbers with the <c>hermes</c> tool) and, for datasets whose label values are 1…n in task order, copies of the
/// held-out images and labels under <c>validation/</c> so <c>hermes predict</c> + <c>hermes evaluate</c> can be run on them.
/// </summary>
public static class ExperimentReport
{
    private static readonly JsonSerializerOptions Indented = new() { WriteIndented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    /// <summary>Writes the split: per dataset, the training, validation and scored-training case ids.</summary>
    /// <param name="data">The experiment's data.</param>
    /// <param name="path">The JSON file.</param>
    public static void WriteSplit(ExperimentData data, string path)
    {
        ArgumentNullException.ThrowIfNull(data);
        var root = new JsonObject();
        foreach (var g in data.Cases.GroupBy(c => c.Dataset.Name))
        {
            JsonArray Ids(CaseRole role) => new([.. g.Where(c => c.Role == role).Select(c => (JsonNode?)JsonValue.Create(c.Reference.CaseId))]);
            root[g.Key] = new JsonObject
            {
                ["rule"] = Rule(g.First().Dataset.Validation),
                ["training"] = Ids(CaseRole.Training),
                ["validation"] = Ids(CaseRole.Validation),
                ["training_scored"] = Ids(CaseRole.TrainingScored),
            };
        }

        File.WriteAllText(path, root.ToJsonString(Indented));
    }

    /// <summary>Writes metrics, summary and the validation copies.</summary>
    /// <param name="result">The result.</param>
    /// <param name="data">The data.</param>
    /// <param name="paths">The paths.</param>
    /// <param name="started">When the run started.</param>
    /// <param name="loadAtStart">Load average at the start.</param>
    /// <param name="loadAtEnd">Load average at the end.</param>
    public static void Write(ExperimentResult result, ExperimentData data, ExperimentPaths paths, DateTimeOffset started, string loadAtStart, string loadAtEnd)
    {
        ArgumentNullException.ThrowIfNull(result);
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(paths);
        var ic = CultureInfo.InvariantCulture;
        var output = paths.Output;
        var csv = new StringBuilder("dataset,case,role,task,metric,value\n");
        foreach (var m in result.Metrics)
        {
            csv.Append(ic, $"{m.Dataset},{m.Case},{RoleName(m.Role)},{m.Task},{m.Metric},{m.Value.ToString("R", ic)}\n");
        }

        File.WriteAllText(Path.Combine(output, "metrics.csv"), csv.ToString());

        var datasets = new JsonObject();
        foreach (var d in result.Settings.Datasets)
        {
            var rows = result.Metrics.Where(m => m.Dataset == d.Name).ToList();
            var tasks = new JsonObject();
            foreach (var byTask in rows.GroupBy(m => m.Task))
            {
                var perMetric = new JsonObject();
                foreach (var byMetric in byTask.GroupBy(m => m.Metric))
                {
                    var values = byMetric.Select(m => m.Value).ToList();
                    var finite = values.Where(double.IsFinite).Order().ToList();
                    perMetric[byMetric.Key] = new JsonObject
                    {
                        ["mean"] = finite.Count > 0 ? finite.Average() : null,
                        ["std"] = finite.Count > 1 ? Math.Sqrt(finite.Sum(v => Math.Pow(v - finite.Average(), 2)) / finite.Count) : null,
                        ["median"] = finite.Count > 0 ? finite[finite.Count / 2] : null,
                        ["min"] = finite.Count > 0 ? finite[0] : null,
                        ["max"] = finite.Count > 0 ? finite[^1] : null,
                        ["cases"] = values.Count,
                        ["non_finite"] = values.Count - finite.Count,
                    };
                }

                tasks[byTask.Key] = perMetric;
            }

            datasets[d.Name] = new JsonObject
            {
                ["scored_on"] = rows.Any(r => r.Role == CaseRole.Validation) ? "held-out validation cases" : rows.Count > 0 ? "training cases (no held-out case)" : "nothing",
                ["cases"] = rows.Select(r => r.Case).Distinct().Count(),
                ["mean_dice"] = double.IsFinite(result.MeanDice(d.Name)) ? result.MeanDice(d.Name) : null,
                ["tasks"] = tasks,
            };
        }

        var runtime = HermesRuntime.EnsureInitialized();
        var summary = new JsonObject
        {
            ["experiment"] = result.Settings.Name,
            ["description"] = result.Settings.Description,
            ["quick"] = result.Settings.IsQuick,
            ["started_utc"] = started.ToString("u", ic),
            ["machine"] = MachineInfo.Describe(),
            ["load_average_start"] = loadAtStart,
            ["load_average_end"] = loadAtEnd,
            ["runtime"] = $"TorchSharp {runtime.TorchSharpVersion}, oneDNN guard {runtime.OneDnnGuard}, {runtime.Threads} default threads",
            ["timings"] = new JsonObject([.. result.Timings.Select(kv => new KeyValuePair<string, JsonNode?>(kv.Key, kv.Value))]),
            ["steps"] = result.Settings.Training.Steps,
            ["datasets"] = datasets,
            ["model"] = result.ModelPath,
            ["settings"] = JsonSerializer.SerializeToNode(result.Settings),
            ["reproduce_with_cli"] = CliCommands(result, data, output),
        };
        File.WriteAllText(result.SummaryPath, summary.ToJsonString(Indented));
    }

    /// <summary>
    /// Copies the held-out cases of datasets whose label values are 1…n in task order to <c>validation/DATASET/{images,labels}</c>
    /// and returns the <c>hermes predict</c> / <c>hermes evaluate</c> commands that score them from the saved model.
    /// </summary>
    private static JsonArray CliCommands(ExperimentResult result, ExperimentData data, string output)
    {
        var commands = new JsonArray();
        if (result.Settings.Model.Kind != ModelSettings.HermesR)
        {
            return commands; // hermes predict builds Hermes-R / Hermes-M only
        }

        foreach (var d in result.Settings.Datasets.Where(d => d.Labels.Select((l, i) => l.Value == i + 1).All(x => x)))
        {
            var cases = data.Cases.Where(c => c.Dataset == d && c.Role == CaseRole.Validation).ToList();
            if (cases.Count == 0)
            {
                continue;
            }

            var images = Directory.CreateDirectory(Path.Combine(output, "validation", d.Name, "images")).FullName;
            var labels = Directory.CreateDirectory(Path.Combine(output, "validation", d.Name, "labels")).FullName;
            foreach (var c in cases)
            {
                File.Copy(c.ImagePath, Path.Combine(images, c.Reference.CaseId + Extension(c.ImagePath)), overwrite: true);
                File.Copy(c.LabelPath, Path.Combine(labels, c.Reference.CaseId + Extension(c.LabelPath)), overwrite: true);
            }

            var pred = Path.Combine(output, "cli", d.Name);
            var modality = data.Catalog.Vocabulary.Modalities.Count > 1 ? $" --modality {d.Modality}" : "";
            var overlap = result.Settings.Inference.Overlap.ToString(CultureInfo.InvariantCulture);
            commands.Add($"hermes predict --model {result.ModelPath} --input {images} --tasks {string.Join(',', d.Labels.Select(l => l.Task))}{modality} --overlap {overlap} --output {pred}");
            commands.Add($"hermes evaluate --pred {pred} --ref {labels} --labels {Path.Combine(pred, "labels.json")} --metrics dice,hd95,nsd --tolerance {result.Settings.Inference.ToleranceMm.ToString(CultureInfo.InvariantCulture)} --out {Path.Combine(output, "cli", d.Name + "-metrics.csv")}");
        }

        return commands;
    }

    private static string Extension(string path) => path.EndsWith(".nii.gz", StringComparison.OrdinalIgnoreCase) ? ".nii.gz" : Path.GetExtension(path);

    private static string Rule(ValidationSplit split) =>
        split.EveryNth > 0 ? $"case ids sorted ordinally; every {split.EveryNth}th case (positions {split.EveryNth}, {2 * split.EveryNth}, …) is held out"
        : split.Cases.Count > 0 ? $"held out: {string.Join(", ", split.Cases)}"
        : split.TrainingCases ? "no held-out case: scored on its training cases"
        : "training only";

    /// <summary>How <c>metrics.csv</c> names a role (read back by <see cref="ExperimentResult.Read"/>).</summary>
    /// <param name="role">The role.</param>
    /// <returns><c>validation</c>, <c>training</c> or <c>training-only</c>.</returns>
    internal static string RoleName(CaseRole role) => role switch
    {
        CaseRole.Validation => "validation",
        CaseRole.TrainingScored => "training",
        _ => "training-only",
    };
}
