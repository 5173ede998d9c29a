using System.CommandLine;
using System.Globalization;
using Hermes.Backbones.DependencyInjection;
using Hermes.Checkpoints;
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
/// same <see cref="HermesOptions"/> an application binds), on the built-in catalog's datasets of its manifest and on datasets
/// of your own (<c>Hermes:Training:CustomDatasets</c>, see <see cref="HermesDatasetOptions"/>), writing checkpoints and a
/// metrics log to <c>Hermes:Training:OutputDirectory</c>, and the trained model (EMA weights) with its sidecar as
/// <c>model.safetensors</c> + <c>model.json</c> for <c>hermes predict</c>, <c>hermes extend</c> and <c>--init-from</c>.
/// With <c>--init-from M [--freeze backbone|heads] [--backbone-lr-scale x]</c> (see <see cref="FineTuneArguments"/>) it
/// fine-tunes the trained model M instead of starting from random weights. A run that would train nothing (<c>--steps</c>
/// below 1 or not beyond a resumed step) stops before it writes a checkpoint or a model (<c>--steps</c> below 1 before
/// anything at all), and a new run does not replace a trained model
/// already in the output directory without <c>--force</c>.
/// </summary>
internal static class TrainCommand
{
    /// <summary>The trained model's file name in the output directory (its sidecar: <c>model.json</c>).</summary>
    public const string ModelFileName = "model.safetensors";

    /// <summary>The training checkpoint a finished run leaves in its output directory (<c>--resume</c> takes it).</summary>
    public const string FinalCheckpointFileName = "final.safetensors";

    public static Command Create()
    {
        var config = new Option<FileInfo>("--config", "-c") { Description = "JSON configuration with a 'Hermes' section (Backbone, BaseChannels, PatchSize, Training: Manifest, Datasets, …).", Required = true };
        var steps = new Option<long?>("--steps") { Description = "Stop once this many steps have been taken in total, counting a resumed run's (≥ 1; default: Epochs × StepsPerEpoch)." };
        var force = new Option<bool>("--force") { Description = "Start a new run even where the output directory already holds a trained model (it is replaced when the run ends)." };
        var resume = new Option<FileInfo?>("--resume") { Description = "A training checkpoint (latest.safetensors) to continue from (repeat --init-from/--freeze of a fine-tune)." };
        var command = new Command("train", "Train a universal model from a configuration file, or fine-tune a trained one (--init-from).") { config, steps, resume, force };
        foreach (var option in FineTuneArguments.All)
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, token) =>
        {
            var fineTune = FineTuneArguments.Read(parse, out var error);
            if (error is not null)
            {
                Console.Error.WriteLine($"hermes train: {error}");
                return Task.FromResult(2);
            }

            return RunAsync(parse.GetValue(config)!, parse.GetValue(steps), parse.GetValue(resume), fineTune, token, parse.GetValue(force));
        });
        return command;
    }

    /// <summary>Builds the services of a configuration file (validated); exposed for tests.</summary>
    /// <param name="config">The configuration file.</param>
    /// <param name="catalog">The task catalog; <see langword="null"/> for the built-in one.</param>
    internal static ServiceProvider BuildServices(FileInfo config, TaskCatalog? catalog = null)
    {
        var configuration = new ConfigurationBuilder().AddJsonFile(config.FullName, optional: false).Build();
        var services = new ServiceCollection();
        services.AddLogging(b => b.AddSimpleConsole(o => o.SingleLine = true).SetMinimumLevel(LogLevel.Warning));
        if (catalog is not null)
        {
            services.AddSingleton(catalog);
        }

        services.AddHermes(configuration).UseResUNet().UseMedFormer().UseBackbone(ResUNetArchitecture.ArchitectureName);
        var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();
        return provider;
    }

    internal static async Task<int> RunAsync(FileInfo config, long? steps, FileInfo? resume, FineTuneArguments.Request? fineTune,
        CancellationToken cancellationToken, bool force = false)
    {
        if (steps is < 1)
        {
            Console.Error.WriteLine($"hermes train: --steps must be at least 1 (got {steps}).");
            return 2;
        }

        ModelSidecar? pretrained = null;
        try
        {
            pretrained = fineTune?.ReadSidecar();
        }
        catch (Exception e) when (e is FileNotFoundException or CheckpointFormatException)
        {
            Console.Error.WriteLine($"hermes train: --init-from: {e.Message}");
            return 2;
        }

        ServiceProvider provider;
        try
        {
            provider = BuildServices(config, pretrained is null ? null : FineTuneArguments.Catalog(pretrained));
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
            if ((t.Datasets.Count == 0 && t.CustomDatasets.Count == 0) || (t.Datasets.Count > 0 && t.Manifest is null) || t.OutputDirectory is null)
            {
                Console.Error.WriteLine($"hermes train: {config.FullName}: set Hermes:Training:OutputDirectory and the data: Hermes:Training:Datasets of the built-in catalog with their Hermes:Training:Manifest, and/or Hermes:Training:CustomDatasets of your own.");
                return 2;
            }

            // A trained model is never replaced by accident: a new run into a folder that holds one needs --force (a resumed
            // run continues that model and may replace it).
            var trained = new[] { ModelFileName, FinalCheckpointFileName }.Select(f => Path.Combine(t.OutputDirectory, f)).FirstOrDefault(File.Exists);
            if (resume is null && !force && trained is not null)
            {
                Console.Error.WriteLine($"hermes train: {trained} already holds a trained model; continue it with --resume {Path.Combine(t.OutputDirectory, FinalCheckpointFileName)}, choose another Hermes:Training:OutputDirectory, or pass --force to replace it.");
                return 2;
            }

            var catalog = provider.GetRequiredService<TaskCatalog>();
            var cases = ListCases(config, options, catalog);
            if (cases is null)
            {
                return 2;
            }

            var preprocessing = pretrained is null ? new PreprocessingOptions() : FineTuneArguments.Preprocessing(pretrained);
            var createdOutput = !Directory.Exists(t.OutputDirectory);
            IReadOnlyList<PreprocessedCase> preprocessed;
            try
            {
                var cache = new PreprocessingCache(Path.Combine(t.OutputDirectory, "cache"), catalog, preprocessing);
                preprocessed = cache.OpenAll(cases, Environment.ProcessorCount);
            }
            catch (DatasetFormatException e)
            {
                // An unreadable case: a run that created the output directory leaves nothing behind.
                if (createdOutput && Directory.Exists(t.OutputDirectory))
                {
                    Directory.Delete(t.OutputDirectory, recursive: true);
                }

                Console.Error.WriteLine($"hermes train: {CliApplication.FirstLine(e.Message)}");
                return 1;
            }

            try
            {
                using var model = provider.GetRequiredService<ISegmenterFactory>().Create();
                if (fineTune is not null)
                {
                    try
                    {
                        var report = fineTune.Initialize(model, catalog.Vocabulary);
                        AnsiConsole.MarkupLineInterpolated($"[grey]fine-tuning {fineTune.ModelPath}: {report.MatchedTasks.Count} of {catalog.Vocabulary.Tasks.Count} tasks and {report.MatchedModalities.Count} of {catalog.Vocabulary.Modalities.Count} modalities start from its priors[/]");
                        AnsiConsole.MarkupLineInterpolated($"[grey]{fineTune.Describe()}[/]");
                    }
                    catch (Exception e) when (e is InvalidOperationException or InvalidDataException or ArgumentException
                                                  or CheckpointFormatException or StateDictMismatchException)
                    {
                        Console.Error.WriteLine($"hermes train: --init-from {fineTune.ModelPath}: {e.Message}");
                        return 2;
                    }
                }

                var trainers = provider.GetRequiredService<ITrainerFactory>();
                using var trainer = fineTune is null ? trainers.Create(model) : trainers.CreateFineTuning(model, fineTune.Options);
                using var optimizer = trainer.Optimizer;
                using var average = trainer.AverageModel;
                if (resume is not null)
                {
                    try
                    {
                        trainer.LoadCheckpoint(resume.FullName);
                    }
                    catch (Exception e) when (e is CheckpointFormatException or IOException or InvalidDataException or ArgumentException or StateDictMismatchException)
                    {
                        Console.Error.WriteLine($"hermes train: --resume {resume.FullName}: {CliApplication.FirstLine(e.Message)} (expected a training checkpoint, checkpoints/latest.safetensors or final.safetensors, written by hermes train with this configuration).");
                        return 2;
                    }
                }

                var end = Math.Min(steps ?? trainer.Options.TotalSteps, trainer.Options.TotalSteps);
                if (end <= trainer.Step)
                {
                    // Nothing would be trained: leave every file as it is rather than re-export the same (or an untrained) model.
                    Console.Error.WriteLine(steps is null || steps > trainer.Options.TotalSteps
                        ? $"hermes train: the run is complete ({trainer.Step} of {trainer.Options.TotalSteps} steps); nothing to train. Raise Hermes:Training:Epochs to train further."
                        : $"hermes train: --steps {steps} is not beyond step {trainer.Step} of the resumed checkpoint; nothing to train.");
                    return 2;
                }

                var source = new TrainingBatchSource(catalog, preprocessed, new TrainingBatchOptions
                {
                    BatchSize = t.BatchSize,
                    PatchSize = options.PatchSize,
                    Seed = (ulong)t.Seed,
                });
                AnsiConsole.MarkupLineInterpolated($"[grey]{cases.Count} cases of {string.Join(", ", t.Datasets.Concat(t.CustomDatasets.Select(d => d.Name)))}; {options.Backbone} base {options.BaseChannels}; {trainer.Options.TotalSteps} steps[/]");
                try
                {
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
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    // Stopped between steps: the state is that of a finished step, so it resumes exactly.
                    var interrupted = Path.Combine(t.OutputDirectory, "checkpoints", "latest.safetensors");
                    trainer.SaveCheckpoint(interrupted);
                    Console.Error.WriteLine($"hermes train: cancelled after step {trainer.Step}; resume with --resume {interrupted}");
                    return TerminationSignals.ExitCode;
                }

                var final = Path.Combine(t.OutputDirectory, FinalCheckpointFileName);
                trainer.SaveCheckpoint(final);
                AnsiConsole.MarkupLineInterpolated($"trained {trainer.Step} steps; checkpoint: {final}");
                if (SidecarModel.Describe(options, model, catalog.Vocabulary, preprocessing) is { } sidecar)
                {
                    var exported = Path.Combine(t.OutputDirectory, ModelFileName);
                    CheckpointWriter.Save(exported, (Abstractions.UniversalSegmenter?)average ?? model, sidecar);
                    AnsiConsole.MarkupLineInterpolated($"model: {exported} ({(average is null ? "weights" : "EMA weights")}, sidecar {CheckpointWriter.SidecarPath(exported)})");
                }

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

    /// <summary>
    /// The training cases: the manifest's rows of <c>Hermes:Training:Datasets</c>, then each of
    /// <c>Hermes:Training:CustomDatasets</c>, declared in <paramref name="catalog"/> first (its tasks and a new modality join the
    /// vocabulary, and a line says which ids they got); <see langword="null"/> after printing the error when a dataset
    /// cannot be declared or listed, or a case's channels do not match <c>Hermes:InputChannels</c>.
    /// </summary>
    private static List<CaseReference>? ListCases(FileInfo config, HermesOptions options, TaskCatalog catalog)
    {
        var t = options.Training;
        var cases = new List<CaseReference>();
        try
        {
            if (t.Datasets.Count > 0)
            {
                cases.AddRange(new ManifestSource(t.Manifest!, [.. t.Datasets]).ListCases());
            }
        }
        catch (DatasetFormatException e)
        {
            Console.Error.WriteLine($"hermes train: {config.FullName}: Hermes:Training:Manifest: {CliApplication.FirstLine(e.Message)}");
            return null;
        }

        for (var i = 0; i < t.CustomDatasets.Count; i++)
        {
            var entry = t.CustomDatasets[i];
            try
            {
                var declared = entry.Declare(catalog);
                var listed = declared.Source.ListCases();
                cases.AddRange(listed);
                var vocabulary = catalog.Vocabulary;
                var tasks = string.Join(", ", declared.Declaration.Labels.Select(l =>
                    $"{l.Value} → {l.Task} (task {vocabulary.TaskIndex(l.Task)}{(declared.NewTasks.Contains(l.Task) ? "" : ", shared")})"));
                var modality = declared.Declaration.DefaultModality;
                AnsiConsole.MarkupLineInterpolated($"[grey]dataset {entry.Name}: {listed.Count} cases, modality {modality} ({(declared.NewModalities.Count > 0 ? "new, " : "")}id {vocabulary.ModalityIndex(modality)}); labels {tasks}[/]");
            }
            catch (Exception e) when (e is DatasetFormatException or ArgumentException)
            {
                Console.Error.WriteLine($"hermes train: {config.FullName}: Hermes:Training:CustomDatasets:{i} ('{entry.Name}'): {CliApplication.FirstLine(e.Message)}");
                return null;
            }
        }

        if (cases.FirstOrDefault(c => c.ImagePaths.Count != options.InputChannels) is { } odd)
        {
            Console.Error.WriteLine($"hermes train: {config.FullName}: case '{odd.CaseId}' of dataset '{odd.Dataset}' has {odd.ImagePaths.Count} image channel(s) ({string.Join(", ", odd.ImagePaths)}); Hermes:InputChannels is {options.InputChannels}.");
            return null;
        }

        return cases;
    }

    private sealed class Progress(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
