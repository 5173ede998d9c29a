namespace Hermes.Runtime;

/// <summary>What the oneDNN guard decided, and why.</summary>
/// <param name="Mode">The mode that was requested.</param>
/// <param name="IsaCap">The value of <c>ONEDNN_MAX_CPU_ISA</c> in force, or <see langword="null"/> for none.</param>
/// <param name="Reason">A one-line explanation, for logs and <c>hermes info --system</c>.</param>
public sealed record OneDnnGuardDecision(OneDnnGuardMode Mode, string? IsaCap, string Reason)
{
    /// <inheritdoc />
    public override string ToString() => IsaCap is null ? $"no ISA cap ({Reason})" : $"{OneDnnGuard.IsaVariable}={IsaCap} ({Reason})";
}
