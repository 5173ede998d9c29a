using System.Runtime.InteropServices;

namespace Hermes.Cli;

/// <summary>
/// Turns the first Ctrl-C (SIGINT) or SIGTERM into a cancellation that every command observes: the current window or
/// training step finishes or is abandoned, partial outputs are removed (a training run writes a checkpoint to resume
/// from), the command prints "cancelled" and the process exits with <see cref="ExitCode"/>. A second signal ends the
/// process at once. System.CommandLine 2.0.0 leaves termination unhandled by default (its
/// <c>ProcessTerminationTimeout</c> is null, dotnet/command-line-api#2739), and its own handler would exit after a fixed
/// timeout even while a training step is being checkpointed; so the tool handles the signals itself.
/// </summary>
internal sealed class TerminationSignals : IDisposable
{
    /// <summary>The exit code of a cancelled command (128 + SIGINT, the shell's convention; also used for SIGTERM).</summary>
    public const int ExitCode = 130;

    private readonly CancellationTokenSource cancellation = new();
    private readonly PosixSignalRegistration[] registrations;

    public TerminationSignals() =>
        registrations = [PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal), PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal)];

    /// <summary>Cancelled by the first signal.</summary>
    public CancellationToken Token => cancellation.Token;

    public void Dispose()
    {
        foreach (var r in registrations)
        {
            r.Dispose();
        }

        cancellation.Dispose();
    }

    private void OnSignal(PosixSignalContext context)
    {
        if (cancellation.IsCancellationRequested)
        {
            return; // the second signal: default handling, the process ends now
        }

        context.Cancel = true;
        Console.Error.WriteLine($"hermes: {context.Signal} received; stopping after the current step (send it again to stop at once).");
        cancellation.Cancel();
    }
}
