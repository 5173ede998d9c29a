using System.CommandLine;
using Hermes.Cli;

using var signals = new TerminationSignals();
return await CliApplication.Build().Parse(args)
    .InvokeAsync(new InvocationConfiguration { ProcessTerminationTimeout = null }, signals.Token).ConfigureAwait(false);
