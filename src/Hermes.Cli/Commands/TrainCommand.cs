using System.CommandLine;
using System.Globalization;
using Hermes.Backbones.DependencyInjection;
using Hermes.Data;
using Hermes.DependencyInjection;
using Hermes.Training;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Spectre.Console;

namespace Hermes.Cli.Commands;

/// <summary>
/// <c>hermes train --config settings.json</c>: trains the model a JSON configuration describes (section <c>Hermes</c>, the
/// same <see cref="HermesOptions"/> an application binds), on the datasets of its manifest, writing checkpoints and a
/// metrics log to <c>Hermes:Training:OutputDirectory</c>.
/// </summary>
internal static class TrainCommand
{
    public static Command Create()
    {
        var config = new Option<FileInfo>("--config", "-c") { Description = "JSON configuration with a 'Hermes' section (Backbone, BaseChannels, PatchSize, Training: Manifest, Datasets, …).", Required = true };
        var steps = new Option<long?>("--steps") { Description = "Stop after this many steps (default: Epochs × StepsPerEpoch)." };
        var resume = new Option<FileInfo?>("--resume") { Description = "A training checkpoint (latest.safetensors) to continue from." };
        var command = new Command("train", "Train a universal model from a configuration file.") { config, steps, resume };
        command.SetAction((parse, token) => RunAsync(parse.GetValue(config)!, parse.GetValue(steps), parse.GetValue(resume), token));
        return command;
    }

    /// <summary>Builds the services of a configuration file (validated); exposed for tests.</summary>
    internal static ServiceProvider BuildServices(FileInfo config)
    {
        var configuration = new ConfigurationBuilder().AddJsonFile(config.FullName, optional: false).Build();
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
        services.AddHermes(configuration).UseResUNet().UseMedFormer().UseBackbone(ResUNetArchitecture.ArchitectureName);
        var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();
        return provider;
    }

    internal static async Task<int> RunAsync(FileInfo config, long? steps, FileInfo? resume, CancellationToken cancellationToken)
    {
        ServiceProvider provider;
        try
        {
            provider = BuildServices(config);
        }
        catch (Exception e) when (e is OptionsValidationException or InvalidDataException or FileNotFoundException or FormatException)
        {
            Console.Error.WriteLine($"hermes train: {config.FullName}: {e.Message}");
            return 2;
        }

        await using (provider.ConfigureAwait(false))
        {
            var options = provider.GetRequiredService<IOptions<HermesOptions>>().Value;
            var t = options.Training;
            if (t.Manifest is null || t.Datasets.Count == 0 || t.OutputDirectory is null)
            {
                Console.Error.WriteLine("hermes train: set Hermes:Training:Manifest, Hermes:Training:Datasets and Hermes:Training:OutputDirectory.");
                return 2;
            }

            var catalog = provider.GetRequiredService<TaskCatalog>();
            var cases = new ManifestSource(t.Manifest, [.. t.Datasets]).ListCases();
            var cache = new PreprocessingCache(Path.Combine(t.OutputDirectory, "cache"), catalog, new PreprocessingOptions());
            var preprocessed = cache.OpenAll(cases, Environment.ProcessorCount);
            try
            {
                using var model = provider.GetRequiredService<ISegmenterFactory>().Create();
                using var trainer = provider.GetRequiredService<ITrainerFactory>().Create(model);
                using var optimizer = trainer.Optimizer;
                using var average = trainer.AverageModel;
                if (resume is not null)
                {
                    trainer.LoadCheckpoint(resume.FullName);
                }

                var source = new TrainingBatchSource(catalog, preprocessed, new TrainingBatchOptions
                {
                    BatchSize = t.BatchSize,
                    PatchSize = options.PatchSize,
                    Seed = (ulong)t.Seed,
                });
                AnsiConsole.MarkupLineInterpolated($"[grey]{cases.Count} cases of {string.Join(", ", t.Datasets)}; {options.Backbone} base {options.BaseChannels}; {trainer.Options.TotalSteps} steps[/]");
                await AnsiConsole.Progress()
                    .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new ElapsedTimeColumn(), new RemainingTimeColumn())
                    .StartAsync(async context =>
                    {
                        var bar = context.AddTask("training", maxValue: steps ?? trainer.Options.TotalSteps);
                        bar.Value = trainer.Step;
                        var progress = new Progress(p =>
                        {
                            bar.Value = p.Step;
                            bar.Description = string.Create(CultureInfo.InvariantCulture, $"epoch {p.Epoch}  loss {p.Loss:F3}  lr {p.LearningRate:G3}");
                        });
                        await trainer.RunAsync(source, progress, steps, cancellationToken).ConfigureAwait(false);
                    }).ConfigureAwait(false);
                var final = Path.Combine(t.OutputDirectory, "final.safetensors");
                trainer.SaveCheckpoint(final);
                AnsiConsole.MarkupLineInterpolated($"trained {trainer.Step} steps; checkpoint: {final}");
                return 0;
            }
            finally
            {
                foreach (var c in preprocessed)
                {
                    c.Dispose();
                }
            }
        }
    }

    private sealed class Progress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
