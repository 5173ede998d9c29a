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

    /// <summary>
    /// Intra-op CPU threads for LibTorch; <see langword="null"/> keeps LibTorch's default (one per core). Set on the thread
    /// that calls <see cref="HermesRuntime.EnsureInitialized"/> and recorded as the process-wide count
    /// (<see cref="IntraOpThreads.ProcessWide"/>) that the predictors apply on every thread they run on; may be given again
    /// later to change it. (<c>torch.set_num_threads</c> alone changes only the calling thread.)
    /// </summary>
    public int? Threads { get; set; }

    /// <summary>
    /// Keep large freed blocks inside the process (glibc <c>mallopt</c>: no mmap for large blocks, no trimming, one arena)
    /// so that LibTorch does not page-fault its activations back in on every call. Faster on Linux, at the cost of a
    /// higher, fragmented peak RSS. Applied once, when LibTorch is first initialised; ignored off glibc Linux.
    /// Default: on when the environment variable <c>HERMES_RETAIN_FREED_MEMORY</c> is <c>1</c> or <c>true</c>, else off
    /// (measured on 2 cores: 12–20 % faster forward+backward, 10–30 % higher peak RSS; see docs/performance.md).
    /// </summary>
    public bool RetainFreedMemory { get; set; } = Environment.GetEnvironmentVariable("HERMES_RETAIN_FREED_MEMORY") is "1" or "true";

    /// <summary>
    /// How Hermes' dense 3D convolutions compute weight gradients on the CPU. Defaults to the value of
    /// <c>HERMES_CONV3D_WEIGHT_GRADIENT</c> (<c>auto</c>, <c>libtorch</c>, <c>gemm</c>, <c>winograd</c>), else
    /// <see cref="Conv3dWeightGradientMode.Auto"/>: Hermes' own kernels (Winograd for wide 3³ layers, the shifted-view GEMM for
    /// the others) while oneDNN runs below AVX-512, LibTorch's backward otherwise (docs/performance.md). With LibTorch's
    /// weight gradients a trained convolution stays LibTorch's whole, forward and input gradient included
    /// (<see cref="Operations.TrainingConvolution"/>). Applied once, when LibTorch is first initialised.
    /// </summary>
    public Conv3dWeightGradientMode Conv3dWeightGradient { get; set; } = Conv3dWeightGradientFromEnvironmentOrAuto();

    /// <summary>
    /// How Hermes' dense 3³ convolutions run their forward pass on the CPU — in inference, and in training also their input
    /// gradient (<see cref="Operations.TrainingConvolution"/>). Defaults to the value of <c>HERMES_CONV3D_FORWARD</c>
    /// (<c>auto</c>, <c>libtorch</c>, <c>winograd</c>), else <see cref="Conv3dForwardMode.Auto"/>: the Winograd convolution
    /// where it is faster than oneDNN on this CPU (docs/performance.md). Applied once, when LibTorch is first initialised.
    /// </summary>
    public Conv3dForwardMode Conv3dForward { get; set; } = Conv3dForwardFromEnvironmentOrAuto();

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

        if (!Enum.IsDefined(Conv3dForward))
        {
            throw new ArgumentOutOfRangeException(nameof(Conv3dForward), Conv3dForward,
                $"{nameof(HermesRuntimeOptions)}.{nameof(Conv3dForward)} is not a defined {nameof(Conv3dForwardMode)}.");
        }

        if (!Enum.IsDefined(Conv3dWeightGradient))
        {
            throw new ArgumentOutOfRangeException(nameof(Conv3dWeightGradient), Conv3dWeightGradient,
                $"{nameof(HermesRuntimeOptions)}.{nameof(Conv3dWeightGradient)} is not a defined {nameof(Conv3dWeightGradientMode)}.");
        }
    }

    /// <summary>The environment variable that sets <see cref="Conv3dWeightGradient"/>'s default.</summary>
    public const string Conv3dWeightGradientVariable = "HERMES_CONV3D_WEIGHT_GRADIENT";

    /// <summary>Reads <see cref="Conv3dWeightGradientVariable"/>; <see cref="Conv3dWeightGradientMode.Auto"/> when unset.</summary>
    /// <exception cref="InvalidOperationException">The variable holds an unknown value.</exception>
    public static Conv3dWeightGradientMode Conv3dWeightGradientFromEnvironment()
    {
        var raw = Environment.GetEnvironmentVariable(Conv3dWeightGradientVariable);
        return raw?.Trim().ToLowerInvariant() switch
        {
            null or "" or "auto" => Conv3dWeightGradientMode.Auto,
            "libtorch" or "onednn" => Conv3dWeightGradientMode.LibTorch,
            "gemm" => Conv3dWeightGradientMode.Gemm,
            "winograd" => Conv3dWeightGradientMode.Winograd,
            _ => throw new InvalidOperationException(
                $"Environment variable {Conv3dWeightGradientVariable}='{raw}' is not a weight-gradient mode; expected 'auto', 'libtorch', 'gemm' or 'winograd'."),
        };
    }

    private static Conv3dWeightGradientMode Conv3dWeightGradientFromEnvironmentOrAuto()
    {
        try
        {
            return Conv3dWeightGradientFromEnvironment();
        }
        catch (InvalidOperationException)
        {
            return Conv3dWeightGradientMode.Auto; // reported by HermesRuntime.EnsureInitialized
        }
    }

    /// <summary>The environment variable that sets <see cref="Conv3dForward"/>'s default.</summary>
    public const string Conv3dForwardVariable = "HERMES_CONV3D_FORWARD";

    /// <summary>Reads <see cref="Conv3dForwardVariable"/>; <see cref="Conv3dForwardMode.Auto"/> when unset.</summary>
    /// <exception cref="InvalidOperationException">The variable holds an unknown value.</exception>
    public static Conv3dForwardMode Conv3dForwardFromEnvironment()
    {
        var raw = Environment.GetEnvironmentVariable(Conv3dForwardVariable);
        return raw?.Trim().ToLowerInvariant() switch
        {
            null or "" or "auto" => Conv3dForwardMode.Auto,
            "libtorch" or "onednn" => Conv3dForwardMode.LibTorch,
            "winograd" => Conv3dForwardMode.Winograd,
            _ => throw new InvalidOperationException(
                $"Environment variable {Conv3dForwardVariable}='{raw}' is not a convolution forward mode; expected 'auto', 'libtorch' or 'winograd'."),
        };
    }

    private static Conv3dForwardMode Conv3dForwardFromEnvironmentOrAuto()
    {
        try
        {
            return Conv3dForwardFromEnvironment();
        }
        catch (InvalidOperationException)
        {
            return Conv3dForwardMode.Auto; // reported by HermesRuntime.EnsureInitialized
        }
    }
}
