using Hermes.Cli;

using var signals = new TerminationSignals();
return await CliApplication.InvokeAsync(args, signals.Token).ConfigureAwait(false);
