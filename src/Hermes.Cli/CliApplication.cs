using System.CommandLine;
using Hermes.Cli.Commands;

namespace Hermes.Cli;

/// <summary>Composes the <c>hermes</c> command tree. Composition only: every command calls into the libraries.</summary>
internal static class CliApplication
{
    public static RootCommand Build()
    {
        var root = new RootCommand("hermes — universal medical image segmentation with context priors (Hermes.NET)");
        root.Subcommands.Add(InfoCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(PredictCommand.Create());
        root.Subcommands.Add(EvaluateCommand.Create());
        root.Subcommands.Add(ExtendCommand.Create());
        return root;
    }
}
