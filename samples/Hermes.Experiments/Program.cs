using System.CommandLine;
using Hermes.Experiments;
using Microsoft.Extensions.Logging;

// dotnet run -c Release --project samples/Hermes.Experiments -- EXPERIMENT [--quick] [--out DIR] [--data DIR] [--cache DIR]
var experiment = new Argument<string>("experiment") { Description = "An experiment name (hippocampus, universal-vs-specific, task-specific, universal) or an experiment JSON file." };
var quick = new Option<bool>("--quick") { Description = "Apply the file's Quick overrides: a few-minute run that checks that learning happens." };
var output = new Option<string?>("--out") { Description = "Output folder (default: artifacts/experiments/NAME[-quick])." };
var data = new Option<string?>("--data") { Description = "The shared data folder with manifest.tsv (default: HERMES_DATA, else ../shared/data beside the repository)." };
var cache = new Option<string?>("--cache") { Description = "Preprocessing cache folder (default: OUT/cache; fingerprinted, so runs may share one)." };
var prepareOnly = new Option<bool>("--prepare-only") { Description = "List and preprocess the cases, write split.json, and stop before training." };
var threads = new Option<int?>("--threads") { Description = "LibTorch intra-op threads for training (overrides Training.Threads; default: every core). A parallel suite gives each run its share of the cores." };
var root = new RootCommand("Hermes.NET experiments on the real scans of shared/data (docs/results.md).") { experiment, quick, output, data, cache, prepareOnly, threads };
root.SetAction(async (parse, token) =>
{
    using var loggers = LoggerFactory.Create(b => b.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "HH:mm:ss "; }).SetMinimumLevel(LogLevel.Information));
    var logger = loggers.CreateLogger("experiment");
    try
    {
        var file = ExperimentCatalog.Resolve(parse.GetValue(experiment)!);
        var isQuick = parse.GetValue(quick);
        var dataRoot = parse.GetValue(data) ?? ExperimentPaths.FindDataRoot()
            ?? throw new DirectoryNotFoundException("No shared data: pass --data DIR (the folder with manifest.tsv), set HERMES_DATA, or place the shared folder beside the repository (../shared/data).");
        var name = Path.GetFileNameWithoutExtension(file) + (isQuick ? "-quick" : "");
        var paths = new ExperimentPaths(Path.GetFullPath(parse.GetValue(output) ?? Path.Combine("artifacts", "experiments", name)), Path.GetFullPath(dataRoot), parse.GetValue(cache));
        var runner = new ExperimentRunner(logger);
        if (parse.GetValue(prepareOnly))
        {
            var suite = ExperimentCatalog.SuiteRuns(file);
            foreach (var run in suite ?? [file])
            {
                var settings = ExperimentSettings.Load(ExperimentCatalog.Resolve(run), isQuick);
                var runPaths = suite is null ? paths : paths with { Output = Path.Combine(paths.Output, settings.Name), Cache = paths.Cache ?? Path.Combine(paths.Output, "cache") };
                var (_, _, training) = runner.Prepare(settings, runPaths);
                foreach (var c in training)
                {
                    c.Dispose();
                }
            }

            return 0;
        }

        if (ExperimentCatalog.SuiteRuns(file) is { } runs)
        {
            var suite = new ExperimentSuite(runner, logger);
            var suiteName = Path.GetFileNameWithoutExtension(file);
            _ = ExperimentCatalog.SuiteRunsInParallel(file)
                ? await suite.RunInProcessesAsync(suiteName, runs, isQuick, paths, token).ConfigureAwait(false)
                : await suite.RunAsync(suiteName, runs, isQuick, paths, token).ConfigureAwait(false);
        }
        else
        {
            await runner.RunAsync(ExperimentSettings.Load(file, isQuick).WithThreads(parse.GetValue(threads)), paths, token).ConfigureAwait(false);
        }

        return 0;
    }
    catch (Exception e) when (e is InvalidDataException or FileNotFoundException or DirectoryNotFoundException or Hermes.Data.DatasetFormatException)
    {
        logger.LogError("{Message}", e.Message);
        return 2;
    }
});
return await root.Parse(args).InvokeAsync().ConfigureAwait(false);
