using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Hermes.Experiments;

/// <summary>
/// Runs several experiments (each into <c>OUTPUT/NAME</c>, sharing one preprocessing cache) — one after the other
/// (<see cref="RunAsync"/>) or at the same time in child processes (<see cref="RunInProcessesAsync"/>, for suite files with
/// <c>"Parallel": true</c>) — and writes <c>comparison.md</c>: mean Dice per dataset for every run, side by side, with
/// training time and s/step.
/// </summary>
/// <param name="runner">Runs each experiment.</param>
/// <param name="logger">Logger.</param>
public sealed partial class ExperimentSuite(ExperimentRunner runner, ILogger logger)
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

    /// <summary>
    /// Runs the suite with every run in its own child process of this program, all at once, then compares them. The
    /// cases of every run are prepared and preprocessed first, here, one run after the other, so the children only read
    /// the shared cache. Each child's log lines are forwarded with the run's name.
    /// </summary>
    /// <param name="name">The suite's name (title of the comparison).</param>
    /// <param name="runs">Experiment names or files.</param>
    /// <param name="quick">Apply each experiment's quick overrides.</param>
    /// <param name="paths">The suite's output folder and data.</param>
    /// <param name="cancellationToken">Cancellation (kills the children).</param>
    /// <returns>The results read back from the runs' folders, in run order.</returns>
    /// <exception cref="InvalidOperationException">A run's process failed (its exit code and log name it).</exception>
    public async Task<IReadOnlyList<ExperimentResult>> RunInProcessesAsync(string name, IReadOnlyList<string> runs, bool quick, ExperimentPaths paths, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(runs);
        ArgumentNullException.ThrowIfNull(paths);
        var cache = paths.Cache ?? Path.Combine(paths.Output, "cache");
        // Every file is read and checked before anything is prepared or started.
        var planned = runs.Select(run => ExperimentCatalog.Resolve(run))
            .Select(file => (Settings: ExperimentSettings.Load(file, quick), File: file)).ToList()
            .Select(p => (p.Settings, p.File, Output: Path.Combine(paths.Output, p.Settings.Name))).ToList();
        foreach (var (settings, _, output) in planned)
        {
            var (_, _, training) = runner.Prepare(settings, paths with { Output = output, Cache = cache });
            foreach (var c in training)
            {
                c.Dispose();
            }
        }

        // The runs share the machine's cores: each process trains on its share (at least one LibTorch thread).
        var threads = Math.Max(1, Environment.ProcessorCount / planned.Count);
        logger.LogInformation("starting {Count} runs in parallel, one process each with {Threads} LibTorch thread(s): {Runs}", planned.Count, threads, string.Join(", ", planned.Select(p => p.Settings.Name)));
        var exits = await Task.WhenAll(planned.Select(p => RunChildAsync(p.Settings.Name,
            [p.File, "--out", p.Output, "--data", paths.DataRoot, "--cache", cache, "--threads", threads.ToString(System.Globalization.CultureInfo.InvariantCulture), .. quick ? new[] { "--quick" } : []], cancellationToken))).ConfigureAwait(false);
        var failed = planned.Zip(exits).Where(x => x.Second != 0).Select(x => $"{x.First.Settings.Name} (exit code {x.Second})").ToList();
        if (failed.Count > 0)
        {
            throw new InvalidOperationException($"Suite '{name}': run(s) {string.Join(", ", failed)} failed; their log lines above say why.");
        }

        var results = planned.Select(p => ExperimentResult.Read(p.Settings, p.Output)).ToList();
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

    private async Task<int> RunChildAsync(string run, IReadOnlyList<string> arguments, CancellationToken cancellationToken)
    {
        // This program again: its apphost, or 'dotnet Hermes.Experiments.dll' when it was started through the muxer.
        var self = Environment.ProcessPath ?? throw new InvalidOperationException("Cannot find this program's executable to start the runs.");
        var info = new System.Diagnostics.ProcessStartInfo(self) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        if (Path.GetFileNameWithoutExtension(self).Equals("dotnet", StringComparison.OrdinalIgnoreCase))
        {
            info.ArgumentList.Add(typeof(ExperimentSuite).Assembly.Location);
        }

        foreach (var a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        using var process = System.Diagnostics.Process.Start(info) ?? throw new InvalidOperationException($"Could not start the process of run '{run}'.");
        process.OutputDataReceived += (_, e) => Forward(e.Data);
        process.ErrorDataReceived += (_, e) => Forward(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await process.WaitForExitAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        return process.ExitCode;

        void Forward(string? line)
        {
            if (line is { Length: > 0 })
            {
                // The child logs 'HH:mm:ss level: category[id] message'; keep the message, re-logged at its level.
                var m = ChildLogLine().Match(line);
                var level = !m.Success ? LogLevel.Information
                    : m.Groups["level"].Value switch { "fail" or "crit" => LogLevel.Error, "warn" => LogLevel.Warning, _ => LogLevel.Information };
                logger.Log(level, "[{Run}] {Line}", run, m.Success ? m.Groups["message"].Value : line);
            }
        }
    }

    [System.Text.RegularExpressions.GeneratedRegex(@"^\d\d:\d\d:\d\d (?<level>\w+): [^\[]+\[\d+\] (?<message>.*)$")]
    private static partial System.Text.RegularExpressions.Regex ChildLogLine();
}
