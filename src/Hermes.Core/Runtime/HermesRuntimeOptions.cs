namespace Hermes.Runtime;

/// <summary>Process-wide settings of the native runtime, applied by <see cref="HermesRuntime.EnsureInitialized"/>.</summary>
public sealed class HermesRuntimeOptions
{
    /// <summary>
    /// How to guard against the oneDNN float32 conv3d defect. Defaults to the value of
    /// <c>HERMES_ONEDNN_GUARD</c> (<c>auto</c>, <c>avx2</c>, <c>off</c>), else <see cref="OneDnnGuardMode.Auto"/>.
    /// Takes effect only before LibTorch loads.
    /// </summary>
    public OneDnnGuardMode OneDnnGuard { get; set; } = Runtime.OneDnnGuard.ModeFromEnvironmentOrAuto();

    /// <summary>Intra-op CPU threads for LibTorch; <see langword="null"/> keeps LibTorch's default (one per core).</summary>
    public int? Threads { get; set; }

    /// <summary>
    /// Keep large freed blocks inside the process (glibc <c>mallopt</c>: no mmap for large blocks, no trimming, one arena)
    /// so that LibTorch does not page-fault its activations back in on every call. Faster on Linux, at the cost of a
    /// higher, fragmented peak RSS. Applied once, when LibTorch is first initialised; ignored off glibc Linux.
    /// Default: on when the environment variable <c>HERMES_RETAIN_FREED_MEMORY</c> is <c>1</c> or <c>true</c>, else off
    /// (measured on 2 cores: 12–20 % faster forward+backward, 10–30 % higher peak RSS; see docs/performance.md).
    /// </summary>
    public bool RetainFreedMemory { get; set; } = Environment.GetEnvironmentVariable("HERMES_RETAIN_FREED_MEMORY") is "1" or "true";

    /// <summary>Throws when a value is out of range, naming the option.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    public void Validate()
    {
        if (Threads is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(Threads), Threads, $"{nameof(HermesRuntimeOptions)}.{nameof(Threads)} must be at least 1 (or unset for LibTorch's default).");
        }

        if (!Enum.IsDefined(OneDnnGuard))
        {
            throw new ArgumentOutOfRangeException(nameof(OneDnnGuard), OneDnnGuard, $"{nameof(HermesRuntimeOptions)}.{nameof(OneDnnGuard)} is not a defined {nameof(OneDnnGuardMode)}.");
        }
    }
}
