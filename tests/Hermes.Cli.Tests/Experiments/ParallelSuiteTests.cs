using System.Globalization;
using Hermes.Experiments;
using Hermes.Testing;
using Microsoft.Extensions.Logging;

namespace Hermes.Cli.Tests.Experiments;

/// <summary>
/// A suite with <c>"Parallel": true</c> runs each experiment in its own child process of the runner, at the same time,
/// and compares them from the files the children wrote: two tiny hippocampus runs (4 steps, 6 cases, one held out)
/// that differ only in their seed.
/// </summary>
[Collection(SerialExperimentCollection.Name)]
public sealed class ParallelSuiteTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "hermes-suite-" + Guid.NewGuid().ToString("N"));

    public ParallelSuiteTests() => Directory.CreateDirectory(folder);

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [SkippableFact]
    public async Task ParallelRunsEachWriteTheirResultsAndTheComparisonReadsThemBack()
    {
        var data = SharedAssets.RequireData();
        var cases = new[] { "hippocampus_001", "hippocampus_003", "hippocampus_004", "hippocampus_006", "hippocampus_007", "hippocampus_011" };
        var runs = new[] { Tiny("tiny-a", 1, cases), Tiny("tiny-b", 2, cases) };
        var suite = Path.Combine(folder, "tiny-suite.json");
        File.WriteAllText(suite, $$"""{ "Runs": ["{{runs[0]}}", "{{runs[1]}}"], "Parallel": true }""");
        Assert.True(ExperimentCatalog.SuiteRunsInParallel(suite));
        Assert.Equal(runs, ExperimentCatalog.SuiteRuns(suite));

        var log = new ListLogger();
        var output = Path.Combine(folder, "out");
        var results = await new ExperimentSuite(new ExperimentRunner(log), log)
            .RunInProcessesAsync("tiny-suite", runs, quick: false, new ExperimentPaths(output, data));

        Assert.Equal(["tiny-a", "tiny-b"], results.Select(r => r.Settings.Name));
        foreach (var r in results)
        {
            // Read back from the child's files: 1 held-out case × 2 tasks × 3 metrics, the child's own timings.
            Assert.Equal(6, r.Metrics.Count);
            Assert.All(r.Metrics, m => Assert.Equal(CaseRole.Validation, m.Role));
            Assert.All(r.Metrics, m => Assert.Equal("hippocampus_011", m.Case));
            Assert.True(File.Exists(r.ModelPath), r.ModelPath);
            Assert.True(r.Timings["training_s"] > 0 && r.Timings["total_s"] >= r.Timings["training_s"]);
            var csv = File.ReadAllLines(Path.Combine(output, r.Settings.Name, "metrics.csv")).Skip(1).Select(l => l.Split(',')).ToList();
            Assert.Equal(csv.Select(f => double.Parse(f[5], CultureInfo.InvariantCulture)), r.Metrics.Select(m => m.Value));
        }

        // The two children really ran: different seeds give different weights, hence (almost surely) different scores.
        Assert.NotEqual(results[0].Metrics.Select(m => m.Value), results[1].Metrics.Select(m => m.Value));
        var comparison = File.ReadAllText(Path.Combine(output, "comparison.md"));
        Assert.Contains("| tiny-a | tiny-b |", comparison, StringComparison.Ordinal);
        Assert.Contains(results[1].MeanDice("msd_hippocampus").ToString("0.0000", CultureInfo.InvariantCulture), comparison, StringComparison.Ordinal);
        Assert.Contains(log.Lines, l => l.StartsWith("[tiny-a] ", StringComparison.Ordinal) && l.Contains("done in", StringComparison.Ordinal));
        Assert.Contains(log.Lines, l => l.StartsWith("[tiny-b] ", StringComparison.Ordinal) && l.Contains("done in", StringComparison.Ordinal));
    }

    [SkippableFact]
    public async Task BadSettingsStopTheSuiteBeforeAnythingRuns()
    {
        var data = SharedAssets.RequireData();
        var good = Tiny("tiny-ok", 1, ["hippocampus_001", "hippocampus_003"]);
        var bad = Path.Combine(folder, "tiny-bad.json");
        File.WriteAllText(bad, File.ReadAllText(good).Replace("\"tiny-ok\"", "\"tiny-bad\"", StringComparison.Ordinal)
            .Replace("\"Steps\": 4", "\"Steps\": 0", StringComparison.Ordinal));

        // Every file is checked before any run is prepared or started: the bad one is named with its field.
        var log = new ListLogger();
        var output = Path.Combine(folder, "out");
        var error = await Assert.ThrowsAsync<InvalidDataException>(() => new ExperimentSuite(new ExperimentRunner(log), log)
            .RunInProcessesAsync("bad-suite", [good, bad], quick: false, new ExperimentPaths(output, data)));
        Assert.Contains("tiny-bad.json", error.Message, StringComparison.Ordinal);
        Assert.Contains("Training.Steps", error.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output), "nothing may be prepared when a run's settings are invalid");
    }

    private string Tiny(string name, long seed, IReadOnlyList<string> cases)
    {
        var path = Path.Combine(folder, name + ".json");
        var list = string.Join(", ", cases.Select(c => $"\"{c}\""));
        File.WriteAllText(path, $$"""
            {
              "Name": "{{name}}", "Description": "tiny parallel-suite test run",
              "Model": { "Kind": "hermes-r", "BaseChannels": 8, "PatchSize": [32, 48, 32] },
              "Training": { "Steps": 4, "StepsPerEpoch": 4, "BatchSize": 1, "WarmupEpochs": 0, "Seed": {{seed}}, "Threads": 1, "ValidateEveryEpochs": 0 },
              "Preprocessing": { "TargetSpacing": [1.0, 1.0, 1.0] },
              "Inference": { "Overlap": 0.25, "ToleranceMm": 2.0 },
              "Datasets": [ { "Name": "msd_hippocampus", "Modality": "T1-MRI", "Cases": [{{list}}],
                "Labels": [ { "Value": 1, "Task": "hippocampus/anterior" }, { "Value": 2, "Task": "hippocampus/posterior" } ],
                "Validation": { "Cases": ["{{cases[^1]}}"] } } ],
              "OverlayCases": 0
            }
            """);
        return path;
    }

    private sealed class ListLogger : ILogger
    {
        private readonly List<string> lines = [];

        public IReadOnlyList<string> Lines
        {
            get
            {
                lock (lines)
                {
                    return [.. lines];
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (lines)
            {
                lines.Add(formatter(state, exception));
            }
        }
    }
}
