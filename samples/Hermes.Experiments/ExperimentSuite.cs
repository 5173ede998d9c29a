using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Hermes.Experiments;

/// <summary>
/// Runs several experiments one after the other (each into <c>OUTPUT/NAME</c>, sharing one preprocessing cache) and
/// writes <c>comparison.md</c>: mean Dice per dataset for every run, side by side, with training time and s/step.
/// </summary>
/// <param name="runner">Runs each experiment.</param>
/// <param name="logger">Logger.</param>
public sealed class ExperimentSuite(ExperimentRunner runner, ILogger logger)
{
    /// <summary>Runs the suite.</summary>
    /// <param name="name">The suite's name (title of the comparison).</param>
    /// <param name="runs">Experiment names or files.</param>
    /// <param name="quick">Apply each experiment's quick overrides.</param>
    /// <param name="paths">The suite's output folder and data.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The results, in run order.</returns>
    public async Task<IReadOnlyList<ExperimentResult>> RunAsync(string name, IReadOnlyList<string> runs, bool quick, ExperimentPaths paths, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(paths);
        var results = new List<ExperimentResult>();
        var cache = paths.Cache ?? Path.Combine(paths.Output, "cache");
        foreach (var run in runs)
        {
            var settings = ExperimentSettings.Load(ExperimentCatalog.Resolve(run), quick);
            results.Add(await runner.RunAsync(settings, paths with { Output = Path.Combine(paths.Output, settings.Name), Cache = cache }, cancellationToken).ConfigureAwait(false));
        }

        var path = Path.Combine(paths.Output, "comparison.md");
        File.WriteAllText(path, Comparison(name, results));
        logger.LogInformation("comparison: {Path}", path);
        return results;
    }

    /// <summary>The comparison table in Markdown.</summary>
    /// <param name="name">The suite name.</param>
    /// <param name="results">The runs.</param>
    /// <returns>Markdown.</returns>
    public static string Comparison(string name, IReadOnlyList<ExperimentResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var ic = CultureInfo.InvariantCulture;
        var datasets = results.SelectMany(r => r.Settings.Datasets.Select(d => d.Name)).Distinct(StringComparer.Ordinal).ToList();
        var sb = new StringBuilder();
        sb.Append(ic, $"# {name}\n\nMean Dice (mean over the dataset's tasks of the mean over its scored cases).\n\n");
        sb.Append("| dataset | scored on |").Append(string.Concat(results.Select(r => $" {r.Settings.Name} |"))).Append('\n');
        sb.Append("|---|---|").Append(string.Concat(results.Select(_ => "---|"))).Append('\n');
        foreach (var d in datasets)
        {
            var roles = results.SelectMany(r => r.Metrics.Where(m => m.Dataset == d)).Select(m => m.Role).Distinct().ToList();
            var scoredOn = roles.Contains(CaseRole.Validation) ? "held-out cases" : "training cases";
            sb.Append(ic, $"| {d} | {scoredOn} |");
            foreach (var r in results)
            {
                var dice = r.MeanDice(d);
                sb.Append(double.IsFinite(dice) ? dice.ToString(" 0.0000 |", ic) : " — |");
            }

            sb.Append('\n');
        }

        sb.Append("| training time (min) | |").Append(string.Concat(results.Select(r => (r.Timings["training_s"] / 60).ToString(" 0.0 |", ic)))).Append('\n');
        sb.Append("| s/step (median) | |").Append(string.Concat(results.Select(r => r.Timings["seconds_per_step"].ToString(" 0.000 |", ic)))).Append('\n');
        return sb.ToString();
    }
}
