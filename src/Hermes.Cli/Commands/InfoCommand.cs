using System.CommandLine;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Hermes.IO;
using Hermes.Runtime;
using Hermes.Volumes;
using Spectre.Console;

namespace Hermes.Cli.Commands;

/// <summary>
/// <c>hermes info &lt;file|folder&gt; [--json]</c>: format, datatype, geometry and voxel statistics of a medical volume
/// (a DICOM series for a folder); <c>hermes info --system</c>: the native runtime, the CPU and the oneDNN guard decision.
/// </summary>
/// <remarks>
/// The JSON form is a stable contract: <c>path</c>, <c>format</c>, <c>datatype</c> (on-disk type), <c>memory_dtype</c>,
/// <c>shape</c> (file axis order i, j, k[, channels]), <c>channels</c>, <c>spacing</c> (mm), <c>origin</c> (RAS+ mm),
/// <c>direction</c> (3×3 rows, RAS+), <c>affine</c> (4×4 voxel → RAS+ like nibabel), <c>orientation</c> (e.g. RAS),
/// <c>scl_slope</c>, <c>scl_inter</c>, <c>min</c>, <c>max</c>, <c>mean</c>, <c>std</c> (scaled values, NaNs ignored),
/// <c>nan_count</c>, <c>unique_count</c> and <c>unique_values</c> (integer-valued data, first 256), <c>properties</c>.
/// </remarks>
internal static class InfoCommand
{
    public static Command Create()
    {
        var path = new Argument<string?>("path") { Description = "A volume file (.nii, .nii.gz, .hdr, .nrrd, .nhdr, .mha, .mhd, .dcm) or a DICOM series folder.", Arity = ArgumentArity.ZeroOrOne };
        var json = new Option<bool>("--json") { Description = "Print machine-readable JSON (stable keys) instead of a table." };
        var reading = new VolumeReadArguments();
        var system = new Option<bool>("--system") { Description = "Report the native runtime: TorchSharp/LibTorch, device, threads, CPU ISA and the oneDNN guard." };
        var selfCheck = new Option<bool>("--self-check") { Description = "Also verify float32 conv3d against float64 on the shapes oneDNN gets wrong on some AVX-512 CPUs." };
        var record = new Option<bool>("--record")
        {
            Description = "With --system --self-check: run the thorough conv3d sweep WITHOUT the oneDNN cap (in a child process) and record " +
                "the verdict for this CPU; a passing verdict lets the default guard leave oneDNN uncapped (HERMES_ONEDNN_VERDICT names the file).",
        };
        var command = new Command("info", "Describe a medical volume (file or DICOM folder), or the system (--system).") { path, json, system, selfCheck, record };
        foreach (var option in reading.All)
        {
            command.Options.Add(option);
        }

        command.SetAction(parse =>
        {
            if (parse.GetValue(system) || parse.GetValue(record))
            {
                return parse.GetValue(record) ? RecordVerdict() : ReportSystem(parse.GetValue(selfCheck));
            }

            var target = parse.GetValue(path);
            if (string.IsNullOrWhiteSpace(target))
            {
                Console.Error.WriteLine("hermes info: give a volume file or DICOM folder, or --system.");
                return 2;
            }

            if (reading.Read(parse, out var error) is not { } readOptions)
            {
                Console.Error.WriteLine($"hermes info: {error}");
                return 2;
            }

            return ReportVolume(target, parse.GetValue(json), readOptions);
        });
        return command;
    }

    internal static int ReportVolume(string path, bool json, VolumeReadOptions readOptions)
    {
        Volume volume;
        try
        {
            HermesRuntime.EnsureInitialized();
            volume = VolumeIO.Read(path, readOptions);
        }
        catch (Exception e) when (e is VolumeFormatException or NotSupportedException or IOException or HermesNativeRuntimeException)
        {
            if (json)
            {
                Console.Out.WriteLine(ErrorJson(path, e));
            }
            else
            {
                Console.Error.WriteLine($"hermes info: {VolumeReadArguments.Explain(e)}");
            }

            return 1;
        }

        using (volume)
        {
            var stats = VolumeStatistics.Compute(volume);
            if (json)
            {
                Console.Out.WriteLine(ToJson(volume, stats));
            }
            else
            {
                WriteTable(volume, stats);
            }
        }

        return 0;
    }

    internal static string ToJson(Volume volume, VolumeStatistics stats)
    {
        var g = volume.Geometry;
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("path", volume.Metadata.Path);
            w.WriteString("format", volume.Metadata.Format);
            w.WriteString("datatype", volume.Metadata.DiskType.Name());
            w.WriteString("memory_dtype", volume.VoxelType.Name());
            w.WriteStartArray("shape");
            foreach (var s in g.Shape)
            {
                w.WriteNumberValue(s);
            }

            if (volume.Channels > 1)
            {
                w.WriteNumberValue(volume.Channels);
            }

            w.WriteEndArray();
            w.WriteNumber("channels", volume.Channels);
            Array(w, "spacing", g.Spacing);
            Array(w, "origin", g.Origin);
            Matrix(w, "direction", g.Direction, 3);
            Matrix(w, "affine", g.Affine, 4);
            w.WriteString("orientation", g.OrientationCode);
            Number(w, "scl_slope", volume.Metadata.ScaleSlope);
            Number(w, "scl_inter", volume.Metadata.ScaleIntercept);
            Number(w, "min", stats.Min);
            Number(w, "max", stats.Max);
            Number(w, "mean", stats.Mean);
            Number(w, "std", stats.Std);
            w.WriteNumber("nan_count", stats.NaNCount);
            if (stats.UniqueCount is { } uc)
            {
                w.WriteNumber("unique_count", uc);
                Array(w, "unique_values", stats.UniqueValues!);
            }
            else
            {
                w.WriteNull("unique_count");
                w.WriteNull("unique_values");
            }

            w.WriteStartObject("properties");
            foreach (var (k, v) in volume.Metadata.Properties.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                w.WriteString(k, v);
            }

            w.WriteEndObject();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    internal static int ReportSystem(bool selfCheck)
    {
        if (!TryInitializeRuntime(out var report))
        {
            return 3;
        }

        var table = new Table().AddColumn("Runtime").AddColumn("Value");
        foreach (var (key, value) in report.ToLines())
        {
            table.AddRow(Markup.Escape(key), Markup.Escape(value));
        }

        AnsiConsole.Write(table);
        if (!selfCheck)
        {
            return 0;
        }

        var result = Conv3dSelfCheck.Run();
        var checks = new Table().AddColumn("conv3d float32 vs float64").AddColumn("relative error").AddColumn("ok");
        foreach (var (check, error) in result.RelativeErrors)
        {
            checks.AddRow(check, error.ToString("G3", CultureInfo.InvariantCulture), error <= Conv3dSelfCheck.Tolerance ? "[green]yes[/]" : "[red]NO[/]");
        }

        foreach (var (check, error) in result.Informational ?? [])
        {
            checks.AddRow($"{check} (info)", error.ToString("G3", System.Globalization.CultureInfo.InvariantCulture), error <= Conv3dSelfCheck.Tolerance ? "[green]yes[/]" : "[yellow]defect present; Hermes modules avoid it[/]");
        }

        AnsiConsole.Write(checks);
        AnsiConsole.MarkupLine(result.Passed ? "[green]conv3d self-check passed[/]" : "[red]conv3d self-check FAILED: keep the oneDNN guard on (HERMES_ONEDNN_GUARD=avx2)[/]");
        return result.Passed ? 0 : 1;
    }

    /// <summary>Loads LibTorch through Hermes; on failure prints the diagnosis (what is missing, how to fix it).</summary>
    private static bool TryInitializeRuntime(out RuntimeReport report)
    {
        try
        {
            report = HermesRuntime.EnsureInitialized();
            return true;
        }
        catch (HermesNativeRuntimeException e)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]{e.Message}[/]");
            report = null!;
            return false;
        }
    }

    /// <summary>The environment variable that marks the uncapped child of <see cref="RecordVerdict"/>.</summary>
    private const string RecordChildVariable = "HERMES_ONEDNN_RECORD_CHILD";

    internal static int RecordVerdict()
    {
        if (!CpuInfo.Current.HasAvx512F)
        {
            AnsiConsole.MarkupLine("No AVX-512 on this CPU: oneDNN never runs the affected kernels and the guard never caps it; nothing to record.");
            return 0;
        }

        if (!TryInitializeRuntime(out var report))
        {
            return 3;
        }

        if (report.OneDnnGuard.IsaCap is not null)
        {
            if (Environment.GetEnvironmentVariable(RecordChildVariable) == "1")
            {
                AnsiConsole.MarkupLineInterpolated($"[red]hermes info --record: still capped in the child process ({report.OneDnnGuard}).[/]");
                return 3;
            }

            // oneDNN fixes its ISA when LibTorch first runs a primitive, so the uncapped sweep needs a fresh process.
            return RunUncappedChild();
        }

        AnsiConsole.MarkupLine("Running the conv3d sweep without the oneDNN ISA cap (float32 against float64; about a minute on 2 cores) …");
        Conv3dSweepResult sweep = null!;
        AnsiConsole.Progress().Start(context =>
        {
            var task = context.AddTask("conv3d sweep", maxValue: 1.0);
            sweep = Conv3dSelfCheck.Sweep(progress: new Progress<double>(f => task.Value = f));
            task.Value = 1.0;
        });
        var verdict = OneDnnVerdict.FromUncappedSweep(sweep, DateTimeOffset.UtcNow);
        var file = OneDnnVerdictStore.Write(verdict);
        var table = new Table().AddColumn("oneDNN verdict").AddColumn("Value");
        table.AddRow("result", verdict.Passed ? "[green]passed[/]" : "[red]FAILED[/]");
        table.AddRow("comparisons", verdict.Comparisons.ToString(CultureInfo.InvariantCulture));
        table.AddRow("worst relative error", verdict.WorstRelativeError.ToString("G3", CultureInfo.InvariantCulture));
        table.AddRow("thread counts", string.Join(", ", verdict.ThreadCounts));
        table.AddRow("CPU", Markup.Escape(verdict.CpuSignature));
        table.AddRow("TorchSharp", verdict.TorchSharpVersion);
        table.AddRow("file", Markup.Escape(file));
        AnsiConsole.Write(table);
        foreach (var failure in verdict.Failures.Take(20))
        {
            AnsiConsole.MarkupLineInterpolated($"[red]  {failure}[/]");
        }

        AnsiConsole.MarkupLine(verdict.Passed
            ? "[green]Recorded: the default oneDNN guard (auto) now leaves oneDNN uncapped on this CPU.[/]"
            : $"[red]Recorded: {verdict.Failures.Count} results wrong without the cap; the guard keeps capping oneDNN at AVX2 on this CPU.[/]");
        return verdict.Passed ? 0 : 1;
    }

    private static int RunUncappedChild()
    {
        var processPath = Environment.ProcessPath;
        if (processPath is null)
        {
            AnsiConsole.MarkupLine("[red]hermes info --record: cannot find this executable to start the uncapped sweep; run it with HERMES_ONEDNN_GUARD=off.[/]");
            return 3;
        }

        var start = new System.Diagnostics.ProcessStartInfo(processPath) { UseShellExecute = false };
        var entry = typeof(InfoCommand).Assembly.Location;
        if (Path.GetFileNameWithoutExtension(processPath).Equals("dotnet", StringComparison.OrdinalIgnoreCase) && entry.Length > 0)
        {
            start.ArgumentList.Add(entry);
        }

        foreach (var argument in (string[])["info", "--system", "--self-check", "--record"])
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment[OneDnnGuard.ModeVariable] = "off";
        start.Environment.Remove(OneDnnGuard.IsaVariable);
        start.Environment[RecordChildVariable] = "1";
        using var child = System.Diagnostics.Process.Start(start)
            ?? throw new InvalidOperationException($"Could not start {processPath} for the uncapped sweep.");
        child.WaitForExit();
        return child.ExitCode;
    }

    private static string ErrorJson(string path, Exception e)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true, Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping }))
        {
            w.WriteStartObject();
            w.WriteString("path", path);
            w.WriteString("error", e.GetType().Name);
            w.WriteString("message", VolumeReadArguments.Explain(e));
            if (e is VolumeFormatException f)
            {
                w.WriteString("field", f.Field);
                w.WriteString("value", f.Value);
                w.WriteString("expected", VolumeReadArguments.ExplainExpected(f));
            }

            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    private static void WriteTable(Volume volume, VolumeStatistics stats)
    {
        var g = volume.Geometry;
        var ic = CultureInfo.InvariantCulture;
        string Join(IEnumerable<double> v, string f = "G6") => string.Join(", ", v.Select(x => (x + 0.0).ToString(f, ic)));
        var table = new Table().AddColumn("Volume").AddColumn(Markup.Escape(volume.Metadata.Path ?? ""));
        table.AddRow("format", volume.Metadata.Format);
        table.AddRow("datatype", $"{volume.Metadata.DiskType.Name()} (in memory {volume.VoxelType.Name()})");
        table.AddRow("shape (i, j, k)", string.Join(" × ", g.Shape) + (volume.Channels > 1 ? $" × {volume.Channels} channels" : ""));
        table.AddRow("spacing (mm)", Join(g.Spacing));
        table.AddRow("origin (RAS+ mm)", Join(g.Origin));
        var d = g.Direction;
        table.AddRow("direction (RAS+)", string.Join(" | ", Enumerable.Range(0, 3).Select(r => Join(Enumerable.Range(0, 3).Select(c => d[r, c]), "F4"))));
        table.AddRow("orientation", g.OrientationCode);
        if (volume.Metadata.ScaleSlope != 1 || volume.Metadata.ScaleIntercept != 0)
        {
            table.AddRow("scaling", $"× {volume.Metadata.ScaleSlope.ToString("G6", ic)} + {volume.Metadata.ScaleIntercept.ToString("G6", ic)}");
        }

        table.AddRow("min / max", $"{stats.Min.ToString("G6", ic)} / {stats.Max.ToString("G6", ic)}");
        table.AddRow("mean ± std", $"{stats.Mean.ToString("G6", ic)} ± {stats.Std.ToString("G6", ic)}");
        if (stats.NaNCount > 0)
        {
            table.AddRow("NaN voxels", stats.NaNCount.ToString(ic));
        }

        if (stats.UniqueCount is { } uc)
        {
            var shown = stats.UniqueValues!.Take(32).Select(v => v.ToString("G", ic));
            table.AddRow("unique values", $"{uc}: {string.Join(", ", shown)}{(uc > 32 ? ", …" : "")}");
        }

        foreach (var (k, v) in volume.Metadata.Properties.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            table.AddRow(Markup.Escape(k), Markup.Escape(v));
        }

        AnsiConsole.Write(table);
    }

    private static void Number(Utf8JsonWriter w, string name, double value)
    {
        if (double.IsFinite(value))
        {
            w.WriteNumber(name, value + 0.0);
        }
        else
        {
            w.WriteNull(name);
        }
    }

    private static void Array(Utf8JsonWriter w, string name, IEnumerable<double> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values)
        {
            w.WriteNumberValue(v + 0.0);
        }

        w.WriteEndArray();
    }

    private static void Matrix(Utf8JsonWriter w, string name, double[,] m, int n)
    {
        w.WriteStartArray(name);
        for (var r = 0; r < n; r++)
        {
            w.WriteStartArray();
            for (var c = 0; c < n; c++)
            {
                w.WriteNumberValue(m[r, c] + 0.0);
            }

            w.WriteEndArray();
        }

        w.WriteEndArray();
    }
}
