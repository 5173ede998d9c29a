using System.CommandLine;
using Hermes.Cli.Commands;

namespace Hermes.Cli;

/// <summary>Composes the <c>hermes</c> command tree and runs it. Composition only: every command calls into the libraries.</summary>
internal static class CliApplication
{
    /// <summary>
    /// <c>--verbose</c> on every command: a failure the command did not anticipate prints its stack trace; without it, one
    /// line.
    /// </summary>
    public static readonly Option<bool> Verbose = new("--verbose") { Description = "Print the stack trace of an unexpected error.", Recursive = true };

    public static RootCommand Build()
    {
        var root = new RootCommand("hermes — universal medical image segmentation with context priors (Hermes.NET)");
        root.Options.Add(Verbose);
        root.Subcommands.Add(InfoCommand.Create());
        root.Subcommands.Add(TrainCommand.Create());
        root.Subcommands.Add(DemoCommand.Create());
        root.Subcommands.Add(PredictCommand.Create());
        root.Subcommands.Add(EvaluateCommand.Create());
        root.Subcommands.Add(ExtendCommand.Create());
        return root;
    }

    /// <summary>
    /// Parses and runs <paramref name="args"/>. Commands report the errors they expect themselves; anything else reaching
    /// here becomes one line <c>hermes CMD: message</c> and exit code 1 (the whole exception with <c>--verbose</c>), and a
    /// cancellation by <paramref name="cancellationToken"/> exit code <see cref="TerminationSignals.ExitCode"/>.
    /// </summary>
    public static async Task<int> InvokeAsync(string[] args, CancellationToken cancellationToken)
    {
        var parse = Build().Parse(args);
        try
        {
            return await parse.InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null, EnableDefaultExceptionHandler = false }, cancellationToken)
                .ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            Console.Error.WriteLine($"{Prefix(parse)}: cancelled.");
            return TerminationSignals.ExitCode;
        }
        catch (Exception e)
        {
            var message = FirstLine(e.Message);
            Console.Error.WriteLine(parse.GetValue(Verbose)
                ? $"{Prefix(parse)}: {e}"
                : $"{Prefix(parse)}: {message} ({e.GetType().Name}; --verbose shows where)");
            return 1;
        }
    }

    /// <summary>The first line of an error message: native (LibTorch) messages carry C++ frames after it.</summary>
    /// <param name="message">The message.</param>
    /// <returns>Its first line, without trailing white space.</returns>
    internal static string FirstLine(string message) => message.Split('\n', 2)[0].TrimEnd();

    private static string Prefix(ParseResult parse) =>
        parse.CommandResult.Command is RootCommand ? "hermes" : $"hermes {parse.CommandResult.Command.Name}";
}
