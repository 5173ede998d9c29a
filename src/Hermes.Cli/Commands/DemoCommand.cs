using System.CommandLine;

namespace Hermes.Cli.Commands;

/// <summary>
/// <c>hermes demo</c>: the end-to-end demo. Until the phantom training demo lands it runs the quickest end-to-end
/// check available: the native runtime report and the conv3d self-check.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var command = new Command("demo", "Run the end-to-end demo (no arguments, no downloads).");
        command.SetAction(_ => InfoCommand.ReportSystem(selfCheck: true));
        return command;
    }
}
