using System.Globalization;
using Hermes.Experiments;
using Hermes.Testing;
using Microsoft.Extensions.Logging.Abstractions;

namespace Hermes.Cli.Tests.Experiments;

/// <summary>
/// The hippocampus experiment's <c>--quick</c> setting on the real MSD cases of <c>../shared/data</c>: a small Hermes-R
/// learns (mean validation Dice over the 20 held-out cases above 0.5), and <c>hermes predict</c> + <c>hermes evaluate</c>
/// on a held-out case with the saved model reproduce the runner's Dice, HD95 and NSD for that case.
/// </summary>
/// <remarks>
/// The seed is not the test's choice: it changes every day (the UTC day number, mod 1000), and <c>HERMES_QUICK_SEED</c>
/// repeats a given one. The quick setting must learn for any seed; docs/training.md ("The two-label plateau") records the
/// five-seed sweep behind that claim.
/// </remarks>
[Collection(SerialExperimentCollection.Name)]
public sealed class HippocampusQuickExperimentTests : IDisposable
{
    private const string Dataset = "msd_hippocampus";
    private readonly string folder = Path.Combine(Path.GetTempPath(), "hermes-exp-" + Guid.NewGuid().ToString("N"));

    public HippocampusQuickExperimentTests() => Directory.CreateDirectory(folder);

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [SkippableFact]
    [Trait("Category", "Learning")]
    public async Task QuickRunLearnsAndTheCommandLineReproducesItsScores()
    {
        var data = SharedAssets.RequireData();
        var seed = int.TryParse(Environment.GetEnvironmentVariable("HERMES_QUICK_SEED"), NumberStyles.None, CultureInfo.InvariantCulture, out var fixedSeed)
            ? fixedSeed
            : (int)(DateTime.UtcNow.Date - DateTime.UnixEpoch).TotalDays % 1000;
        var settings = ExperimentSettings.Load(ExperimentCatalog.Resolve("hippocampus"), quick: true);
        settings = settings with { Training = settings.Training with { Seed = seed } };
        var result = await new ExperimentRunner(NullLogger.Instance).RunAsync(settings, new ExperimentPaths(Path.Combine(folder, "run"), data));

        var scored = result.Metrics.Where(m => m.Dataset == Dataset).Select(m => m.Case).Distinct().ToList();
        Assert.Equal(20, scored.Count);
        Assert.All(result.Metrics, m => Assert.Equal(CaseRole.Validation, m.Role));
        var dice = result.MeanDice(Dataset);
        Assert.True(dice > 0.5, $"mean validation Dice {dice:F4} after {settings.Training.Steps} quick steps with seed {seed}; expected > 0.5 (HERMES_QUICK_SEED={seed} repeats this run)");
        Assert.True(File.Exists(Path.Combine(folder, "run", "training-curve.png")));
        Assert.True(File.Exists(Path.ChangeExtension(result.ModelPath, ".json")));

        // One held-out case through the command line, from the saved model and the case's own files.
        var caseId = scored.Order(StringComparer.Ordinal).First();
        var input = Directory.CreateDirectory(Path.Combine(folder, "input")).FullName;
        var refs = Directory.CreateDirectory(Path.Combine(folder, "ref")).FullName;
        File.Copy(Path.Combine(data, Dataset, "imagesTr", caseId + ".nii.gz"), Path.Combine(input, caseId + ".nii.gz"));
        File.Copy(Path.Combine(data, Dataset, "labelsTr", caseId + ".nii.gz"), Path.Combine(refs, caseId + ".nii.gz"));
        var pred = Path.Combine(folder, "pred");
        var tasks = string.Join(',', settings.Datasets[0].Labels.Select(l => l.Task));
        var overlap = settings.Inference.Overlap.ToString(CultureInfo.InvariantCulture);
        var (code, output, error) = HermesProcess.Run(TimeSpan.FromMinutes(3), "predict", "--model", result.ModelPath, "--input", input, "--tasks", tasks, "--overlap", overlap, "--output", pred);
        Assert.True(code == 0, $"predict failed ({code}): {error}\n{output}");
        var report = Path.Combine(folder, "report.csv");
        (code, output, error) = HermesProcess.Run(TimeSpan.FromMinutes(3), "evaluate", "--pred", pred, "--ref", refs, "--labels", Path.Combine(pred, "labels.json"),
            "--metrics", "dice,hd95,nsd", "--tolerance", settings.Inference.ToleranceMm.ToString(CultureInfo.InvariantCulture), "--out", report);
        Assert.True(code == 0, $"evaluate failed ({code}): {error}\n{output}");

        var cli = File.ReadAllLines(report).Skip(1).Select(l => l.Split(',')).ToDictionary(r => (r[1], r[2]), r => double.Parse(r[3], CultureInfo.InvariantCulture));
        var runner = result.Metrics.Where(m => m.Case == caseId).ToList();
        Assert.Equal(3 * settings.Datasets[0].Labels.Count, runner.Count);
        foreach (var m in runner)
        {
            var fromCli = cli[(m.Task, m.Metric)];
            Assert.True(fromCli.Equals(m.Value) || Math.Abs(fromCli - m.Value) <= 1e-6,
                $"{caseId} {m.Task} {m.Metric}: runner {m.Value:R}, hermes evaluate {fromCli:R}");
        }

        Assert.True(runner.Where(m => m.Metric == "dice").All(m => m.Value > 0.3), string.Join(", ", runner.Select(m => $"{m.Task} {m.Metric} {m.Value:F4}")));
    }
}
