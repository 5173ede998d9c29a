using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Hermes.Cli.Demo;
using Hermes.Data;
using Hermes.Runtime;
using Spectre.Console;

namespace Hermes.Cli.Commands;

/// <summary>
/// <c>hermes demo</c>: the end-to-end demo. Without arguments it generates the embedded phantom dataset (two modalities,
/// partially overlapping label sets), trains a small universal Hermes-R on CPU, segments the held-out phantoms, prints a
/// Dice table and writes NIfTI predictions and PNG overlays. <c>--data FOLDER|MANIFEST</c> uses real data instead.
/// </summary>
internal static class DemoCommand
{
    /// <summary>The mean held-out Dice the demo's phantoms must reach.</summary>
    public const double PassingDice = 0.8;

    public static Command Create()
    {
        var data = new Option<string?>("--data") { Description = "Train on real data instead: a folder holding manifest.tsv, or a manifest file (datasets must be in the built-in Hermes catalog)." };
        var output = new Option<string>("--output", "-o") { Description = "Output folder (phantoms, cache, predictions, overlays).", DefaultValueFactory = _ => "hermes-demo" };
        var steps = new Option<int>("--steps") { Description = "Training steps.", DefaultValueFactory = _ => 600 };
        var cases = new Option<int>("--cases") { Description = "Phantoms per modality (the last 2 of each are held out).", DefaultValueFactory = _ => 10 };
        var size = new Option<int>("--size") { Description = "Phantom edge length in voxels.", DefaultValueFactory = _ => 48 };
        var patch = new Option<int>("--patch") { Description = "Cubic training patch and inference window edge (a multiple of 16).", DefaultValueFactory = _ => 32 };
        var channels = new Option<int>("--base-channels") { Description = "Base width of the Hermes-R backbone.", DefaultValueFactory = _ => 8 };
        var command = new Command("demo", "Train and evaluate a small universal model on embedded 3D phantoms (no arguments, no downloads).")
        {
            data, output, steps, cases, size, patch, channels,
        };
        command.SetAction((parse, token) => RunAsync(new DemoSettings(
            parse.GetValue(data), parse.GetValue(output)!, parse.GetValue(steps), parse.GetValue(cases), parse.GetValue(size),
            parse.GetValue(patch), parse.GetValue(channels)), token));
        return command;
    }

    internal sealed record DemoSettings(string? Data, string Output, int Steps, int Cases, int Size, int Patch, int BaseChannels)
    {
        /// <summary>Largest phantom edge (256³ float32 = 64 MiB a phantom).</summary>
        public const int MaxSize = 256;

        /// <summary>Most phantoms per modality.</summary>
        public const int MaxCases = 200;

        /// <summary>Largest patch edge (a batch of two 128³ patches is what the reference trains on a GPU).</summary>
        public const int MaxPatch = 128;

        /// <summary>Widest backbone (Hermes-R uses 32).</summary>
        public const int MaxBaseChannels = 64;

        /// <summary>Most training steps (the reference's 200 × 400).</summary>
        public const int MaxSteps = 80_000;

        /// <summary>
        /// The first flag out of range, with its value and what is allowed, or <see langword="null"/>: checked before anything
        /// is generated or allocated, so a mistyped size cannot ask for terabytes.
        /// </summary>
        public string? Problem() =>
            Steps is < 10 or > MaxSteps ? $"--steps {Steps} is invalid: expected 10–{MaxSteps}."
            : Cases is < 2 or > MaxCases ? $"--cases {Cases} is invalid: expected 2–{MaxCases} phantoms per modality."
            : Size is < 16 or > MaxSize ? $"--size {Size} is invalid: expected 16–{MaxSize} voxels."
            : Patch % 16 != 0 || Patch is < 16 or > MaxPatch ? $"--patch {Patch} is invalid: expected a multiple of 16 in 16–{MaxPatch}."
            : Data is null && Patch > Size ? $"--patch {Patch} is invalid: expected at most the phantoms' --size {Size}."
            : BaseChannels is < 1 or > MaxBaseChannels ? $"--base-channels {BaseChannels} is invalid: expected 1–{MaxBaseChannels}."
            : null;
    }

    internal static async Task<int> RunAsync(DemoSettings settings, CancellationToken cancellationToken)
    {
        if (settings.Problem() is { } problem)
        {
            Console.Error.WriteLine($"hermes demo: {problem}");
            return 2;
        }

        HermesRuntime.EnsureInitialized();
        var clock = Stopwatch.StartNew();
        var output = Path.GetFullPath(settings.Output);
        SegmentationRunSettings run;
        if (settings.Data is null)
        {
            AnsiConsole.MarkupLine("[bold]Hermes.NET demo[/]: universal segmentation of CT and MR phantoms with partially overlapping label sets");
            var manifest = PhantomGenerator.Write(Path.Combine(output, "phantoms"), settings.Cases, settings.Size, seed: 2024);
            AnsiConsole.MarkupLineInterpolated($"[grey]wrote {2 * settings.Cases} phantoms ({settings.Size}³ voxels, {PhantomGenerator.Spacing} mm) to {Path.GetDirectoryName(manifest)}[/]");
            run = new SegmentationRunSettings
            {
                Catalog = PhantomGenerator.Catalog(),
                Manifest = manifest,
                Datasets = [PhantomGenerator.CtDataset, PhantomGenerator.MrDataset],
                OutputDirectory = output,
                Steps = settings.Steps,
                PatchSize = [settings.Patch, settings.Patch, settings.Patch],
                BaseChannels = settings.BaseChannels,
                Postprocessing = PhantomGenerator.Postprocessing(),
            };
        }
        else
        {
            var manifest = Directory.Exists(settings.Data) ? Path.Combine(settings.Data, "manifest.tsv") : settings.Data;
            if (!File.Exists(manifest))
            {
                Console.Error.WriteLine($"hermes demo: no manifest at '{manifest}'.");
                return 2;
            }

            var catalog = TaskCatalog.CreateHermes();
            var names = File.ReadLines(manifest).Skip(1).Select(l => l.Split('\t')[0]).Where(n => n.Length > 0).Distinct(StringComparer.Ordinal).ToList();
            var known = names.Where(catalog.Contains).ToList();
            foreach (var unknown in names.Except(known))
            {
                AnsiConsole.MarkupLineInterpolated($"[yellow]skipping dataset '{unknown}': not in the Hermes task catalog[/]");
            }

            if (known.Count == 0)
            {
                Console.Error.WriteLine($"hermes demo: none of the manifest's datasets ({string.Join(", ", names)}) is in the Hermes task catalog.");
                return 2;
            }

            run = new SegmentationRunSettings
            {
                Catalog = catalog,
                Manifest = manifest,
                Datasets = known,
                OutputDirectory = output,
                Steps = settings.Steps,
                HeldOutPerDataset = 1,
                PatchSize = [settings.Patch, settings.Patch, settings.Patch],
                BaseChannels = settings.BaseChannels,
            };
        }

        var results = await SegmentationRun.RunAsync(run, cancellationToken).ConfigureAwait(false);
        var mean = SegmentationRun.PrintDiceTable(results, run.Catalog.Vocabulary);
        AnsiConsole.MarkupLineInterpolated($"predictions: {Path.Combine(output, "predictions")}   overlays: {Path.Combine(output, "overlays")}");
        AnsiConsole.MarkupLine("[grey]overlays: axial, coronal, sagittal; prediction filled and reference outlined in the task's colour (column 'overlay')[/]");
        AnsiConsole.MarkupLineInterpolated($"[grey]finished in {clock.Elapsed.TotalMinutes.ToString("F1", CultureInfo.InvariantCulture)} min[/]");
        if (settings.Data is null && mean < PassingDice)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]mean Dice {mean.ToString("F3", CultureInfo.InvariantCulture)} is below {PassingDice.ToString(CultureInfo.InvariantCulture)}[/]");
            return 1;
        }

        return 0;
    }
}
