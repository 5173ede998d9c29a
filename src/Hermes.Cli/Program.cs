using Hermes.Cli;
using Spectre.Console;

if (Console.IsOutputRedirected)
{
    // Piped or logged output is read by scripts (paths, ids): Spectre.Console would wrap it at 80 columns.
    AnsiConsole.Profile.Width = 1024;
}

using var signals = new TerminationSignals();
return await CliApplication.InvokeAsync(args, signals.Token).ConfigureAwait(false);
