namespace Hermes.Runtime;

/// <summary>
/// Decides and applies the oneDNN ISA cap that avoids LibTorch 2.10's wrong float32 <c>conv3d</c> on AVX-512 CPUs.
/// </summary>
/// <remarks>
/// <para>The rule (documented in docs/troubleshooting.md):</para>
/// <list type="number">
/// <item><see cref="OneDnnGuardMode.Off"/>: leave the environment alone.</item>
/// <item>The environment already sets <c>ONEDNN_MAX_CPU_ISA</c> (and Hermes did not set it): respect the user's value.</item>
/// <item><see cref="OneDnnGuardMode.ForceAvx2"/>, or <see cref="OneDnnGuardMode.Auto"/> on a CPU with AVX-512F and no passing
/// verdict (next item): set
/// <c>ONEDNN_MAX_CPU_ISA=AVX2</c> in the native environment. The defect lives in oneDNN's AVX-512 float32 3D
/// convolution kernels; AVX2 kernels were verified correct on all 104 swept shapes. Cost: 10–20 % conv speed at 32 channels, up to
/// 2.4–3.4× for wide (128-channel) forward convolutions (docs/performance.md).</item>
/// <item>In <see cref="OneDnnGuardMode.Auto"/> on an AVX-512 CPU with a recorded <see cref="OneDnnVerdict"/> for this CPU and
/// TorchSharp build (<see cref="OneDnnVerdictStore"/>, written by <c>hermes info --system --self-check --record</c>): no cap
/// when the verdict passed, the AVX2 cap when it failed.</item>
/// <item>Otherwise (no AVX-512): nothing to do; oneDNN never selects AVX-512 kernels there.</item>
/// </list>
/// <para>oneDNN reads the variable once, when LibTorch first dispatches a oneDNN primitive, so the cap only takes
/// effect if applied before the first torch call. Hermes.Core applies the automatic rule when the assembly loads
/// (a module initializer), and <see cref="HermesRuntime.EnsureInitialized"/> re-applies the configured mode before it
/// loads LibTorch.</para>
/// </remarks>
public static class OneDnnGuard
{
    /// <summary>The oneDNN environment variable that caps the instruction set its kernels may use.</summary>
    public const string IsaVariable = "ONEDNN_MAX_CPU_ISA";

    /// <summary>The environment variable that overrides the mode process-wide: <c>auto</c>, <c>avx2</c> or <c>off</c>.</summary>
    public const string ModeVariable = "HERMES_ONEDNN_GUARD";

    private static readonly object Gate = new();
    private static bool setByHermes;

    /// <summary>The last decision taken; <see langword="null"/> before the first.</summary>
    public static OneDnnGuardDecision? LastDecision { get; private set; }

    /// <summary>Reads <see cref="ModeVariable"/>; <see cref="OneDnnGuardMode.Auto"/> when unset.</summary>
    /// <exception cref="InvalidOperationException">The variable holds an unknown value.</exception>
    public static OneDnnGuardMode ModeFromEnvironment()
    {
        var raw = Environment.GetEnvironmentVariable(ModeVariable);
        return raw?.Trim().ToLowerInvariant() switch
        {
            null or "" or "auto" => OneDnnGuardMode.Auto,
            "avx2" or "on" or "force" or "forceavx2" => OneDnnGuardMode.ForceAvx2,
            "off" or "none" => OneDnnGuardMode.Off,
            _ => throw new InvalidOperationException(
                $"Environment variable {ModeVariable}='{raw}' is not a oneDNN guard mode; expected 'auto', 'avx2' or 'off'."),
        };
    }

    /// <summary>Like <see cref="ModeFromEnvironment"/>, but falls back to <see cref="OneDnnGuardMode.Auto"/> on an unknown value.</summary>
    public static OneDnnGuardMode ModeFromEnvironmentOrAuto()
    {
        try
        {
            return ModeFromEnvironment();
        }
        catch (InvalidOperationException)
        {
            return OneDnnGuardMode.Auto;
        }
    }

    /// <summary>Decides what the guard should do for <paramref name="mode"/> on <paramref name="cpu"/>, without side effects.</summary>
    /// <param name="mode">The requested mode.</param>
    /// <param name="cpu">The CPU.</param>
    /// <param name="userIsa">A value of <c>ONEDNN_MAX_CPU_ISA</c> that the user set, or <see langword="null"/>.</param>
    public static OneDnnGuardDecision Decide(OneDnnGuardMode mode, CpuInfo cpu, string? userIsa) => Decide(mode, cpu, userIsa, null, null);

    /// <summary>
    /// Decides what the guard should do, honouring a recorded <see cref="OneDnnVerdict"/> in <see cref="OneDnnGuardMode.Auto"/>:
    /// a passing verdict taken on this CPU with this TorchSharp build leaves oneDNN uncapped; any other verdict is ignored
    /// (a failing one is named in the reason). Without side effects.
    /// </summary>
    /// <param name="mode">The requested mode.</param>
    /// <param name="cpu">The CPU.</param>
    /// <param name="userIsa">A value of <c>ONEDNN_MAX_CPU_ISA</c> that the user set, or <see langword="null"/>.</param>
    /// <param name="verdict">The machine's recorded verdict, or <see langword="null"/>.</param>
    /// <param name="verdictSource">Where the verdict came from (for the reason), or <see langword="null"/>.</param>
    public static OneDnnGuardDecision Decide(OneDnnGuardMode mode, CpuInfo cpu, string? userIsa, OneDnnVerdict? verdict, string? verdictSource)
    {
        ArgumentNullException.ThrowIfNull(cpu);
        if (mode == OneDnnGuardMode.Off)
        {
            return new OneDnnGuardDecision(mode, null, "guard switched off by option");
        }

        if (!string.IsNullOrEmpty(userIsa))
        {
            return new OneDnnGuardDecision(mode, userIsa, $"{IsaVariable}={userIsa} set by the environment; left as is");
        }

        if (mode == OneDnnGuardMode.ForceAvx2)
        {
            return new OneDnnGuardDecision(mode, "AVX2", "forced by option");
        }

        if (!cpu.HasAvx512F)
        {
            return new OneDnnGuardDecision(mode, null, "no AVX-512 on this CPU: oneDNN's affected kernels are never used");
        }

        var source = verdictSource ?? "the recorded verdict";
        if (verdict is not null && verdict.AppliesTo(cpu, OneDnnVerdict.CurrentTorchSharpVersion))
        {
            return verdict.Passed
                ? new OneDnnGuardDecision(mode, null, $"this CPU passed the uncapped conv3d sweep: {verdict} ({source})")
                : new OneDnnGuardDecision(mode, "AVX2", $"this CPU FAILED the uncapped conv3d sweep: {verdict} ({source})");
        }

        var ignored = verdict is null ? string.Empty : $"; the verdict in {source} was taken on another CPU or TorchSharp build and is ignored";
        return new OneDnnGuardDecision(mode, "AVX2",
            $"{cpu.Vendor} CPU with AVX-512F: oneDNN's AVX-512 float32 conv3d kernels are wrong for some channel counts on some CPUs; " +
            $"`hermes info --system --self-check --record` verifies this one{ignored}");
    }

    /// <summary>Applies <paramref name="mode"/> to the native environment. Call before LibTorch loads.</summary>
    /// <returns>The decision taken.</returns>
    public static OneDnnGuardDecision Apply(OneDnnGuardMode mode)
    {
        lock (Gate)
        {
            var current = NativeEnvironment.Get(IsaVariable);
            var userIsa = setByHermes ? null : current;
            OneDnnVerdict? verdict = null;
            string? verdictPath = null;
            if (mode == OneDnnGuardMode.Auto && userIsa is null && CpuInfo.Current.HasAvx512F)
            {
                try
                {
                    verdictPath = OneDnnVerdictStore.DefaultPath;
                    verdict = verdictPath is null ? null : OneDnnVerdictStore.TryRead(verdictPath, out _);
                }
                catch (ArgumentException)
                {
                    // A malformed HERMES_ONEDNN_VERDICT path: no verdict, so the safe default (the cap) applies.
                }
            }

            var decision = Decide(mode, CpuInfo.Current, userIsa, verdict, verdictPath);
            if (userIsa is null)
            {
                if (decision.IsaCap is { } cap)
                {
                    NativeEnvironment.Set(IsaVariable, cap);
                    setByHermes = true;
                }
                else if (setByHermes)
                {
                    NativeEnvironment.Unset(IsaVariable);
                    setByHermes = false;
                }
            }

            LastDecision = decision;
            return decision;
        }
    }
}
