using System.CommandLine;
using Hermes.Runtime;
using Spectre.Console;

namespace Hermes.Cli.Commands;

/// <summary><c>hermes info --system</c>: the native runtime, the CPU and the oneDNN guard decision.</summary>
internal static class InfoCommand
{
    public static Command Create()
    {
        var system = new Option<bool>("--system") { Description = "Report the native runtime: TorchSharp/LibTorch, device, threads, CPU ISA and the oneDNN guard." };
        var selfCheck = new Option<bool>("--self-check") { Description = "Also verify float32 conv3d against float64 on the shapes oneDNN gets wrong on some AVX-512 CPUs." };
        var command = new Command("info", "Describe the system (--system), or a medical volume.") { system, selfCheck };
        command.SetAction(parse =>
        {
            if (!parse.GetValue(system))
            {
                AnsiConsole.MarkupLine("[yellow]Volume inspection arrives with the volumes I/O layer; use --system for now.[/]");
                return 2;
            }

            return ReportSystem(parse.GetValue(selfCheck));
        });
        return command;
    }

    internal static int ReportSystem(bool selfCheck)
    {
        RuntimeReport report;
        try
        {
            report = HermesRuntime.EnsureInitialized();
        }
        catch (HermesNativeRuntimeException e)
        {
            AnsiConsole.MarkupLineInterpolated($"[red]{e.Message}[/]");
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
            checks.AddRow(check, error.ToString("G3", System.Globalization.CultureInfo.InvariantCulture), error <= Conv3dSelfCheck.Tolerance ? "[green]yes[/]" : "[red]NO[/]");
        }

        AnsiConsole.Write(checks);
        AnsiConsole.MarkupLine(result.Passed ? "[green]conv3d self-check passed[/]" : "[red]conv3d self-check FAILED: keep the oneDNN guard on (HERMES_ONEDNN_GUARD=avx2)[/]");
        return result.Passed ? 0 : 1;
    }
}
