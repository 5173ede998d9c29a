namespace Hermes.Experiments;

/// <summary>What an experiment run produced.</summary>
/// <param name="Settings">The settings it ran with.</param>
/// <param name="Metrics">Every scored case, task and metric.</param>
/// <param name="Curve">The training curve (null for a result read back from a run's files).</param>
/// <param name="ModelPath">The saved weights (sidecar beside them).</param>
/// <param name="Timings">Wall times in seconds: preprocessing, training, evaluation, total.</param>
/// <param name="SummaryPath">The summary JSON.</param>
public sealed record ExperimentResult(
    ExperimentSettings Settings,
    IReadOnlyList<CaseMetric> Metrics,
    TrainingCurve? Curve,
    string ModelPath,
    IReadOnlyDictionary<string, double> Timings,
    string SummaryPath)
{
    /// <summary>
    /// Reads back what a run wrote to its folder (<c>metrics.csv</c> and the timings of <c>summary.json</c>), e.g. for a
    /// run done in a child process.
    /// </summary>
    /// <param name="settings">The settings the run used.</param>
    /// <param name="folder">The run's output folder.</param>
    /// <returns>The result, without its training curve.</returns>
    /// <exception cref="InvalidDataException">A file is missing or malformed (the message names it).</exception>
    public static ExperimentResult Read(ExperimentSettings settings, string folder)
    {
        ArgumentNullException.ThrowIfNull(settings);
        var ic = System.Globalization.CultureInfo.InvariantCulture;
        var csvPath = Path.Combine(folder, "metrics.csv");
        var summaryPath = Path.Combine(folder, "summary.json");
        if (!File.Exists(csvPath) || !File.Exists(summaryPath))
        {
            throw new InvalidDataException($"Run '{settings.Name}' left no results in {folder}: expected metrics.csv and summary.json.");
        }

        var metrics = new List<CaseMetric>();
        foreach (var (line, number) in File.ReadLines(csvPath).Select((l, i) => (l, i + 1)).Skip(1).Where(x => x.l.Length > 0))
        {
            var f = line.Split(',');
            if (f.Length != 6 || !double.TryParse(f[5], System.Globalization.NumberStyles.Float, ic, out var value))
            {
                throw new InvalidDataException($"{csvPath}, line {number}: expected 'dataset,case,role,task,metric,value', got '{line}'.");
            }

            var roles = Enum.GetValues<CaseRole>().Where(r => ExperimentReport.RoleName(r) == f[2]).ToList();
            if (roles.Count != 1)
            {
                throw new InvalidDataException($"{csvPath}, line {number}: role '{f[2]}' is not one of {string.Join(", ", Enum.GetValues<CaseRole>().Select(ExperimentReport.RoleName))}.");
            }

            metrics.Add(new CaseMetric(f[0], f[1], roles[0], f[3], f[4], value));
        }

        var timings = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(summaryPath))?["timings"] as System.Text.Json.Nodes.JsonObject
            ?? throw new InvalidDataException($"{summaryPath}: no 'timings' object.");
        return new ExperimentResult(settings, metrics, null, Path.Combine(folder, "model", settings.Name + ".safetensors"),
            timings.ToDictionary(kv => kv.Key, kv => kv.Value!.GetValue<double>()), summaryPath);
    }

    /// <summary>Mean over the dataset's tasks of the mean Dice over its held-out (or scored) cases.</summary>
    /// <param name="dataset">The dataset.</param>
    /// <returns>The mean Dice (NaN when nothing was scored).</returns>
    public double MeanDice(string dataset)
    {
        var perTask = Metrics.Where(m => m.Dataset == dataset && m.Metric == "dice" && double.IsFinite(m.Value))
            .GroupBy(m => m.Task).Select(g => g.Average(m => m.Value)).ToList();
        return perTask.Count == 0 ? double.NaN : perTask.Average();
    }

    /// <summary>The Dice of one task of one case.</summary>
    /// <param name="dataset">The dataset.</param>
    /// <param name="caseId">The case.</param>
    /// <param name="task">The task.</param>
    /// <returns>The Dice.</returns>
    public double Dice(string dataset, string caseId, string task) =>
        Metrics.Single(m => m.Dataset == dataset && m.Case == caseId && m.Task == task && m.Metric == "dice").Value;
}
