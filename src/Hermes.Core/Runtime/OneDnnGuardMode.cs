namespace Hermes.Runtime;

/// <summary>
/// How Hermes.NET protects against the oneDNN float32 <c>conv3d</c> defect of LibTorch 2.10 on AVX-512 CPUs
/// (wrong forward results when input channels ≡ 8 (mod 16) at ≥ 32³; wrong or NaN input gradients when
/// output channels ≡ 8 (mod 16)).
/// </summary>
public enum OneDnnGuardMode
{
    /// <summary>
    /// Cap oneDNN at AVX2 when the CPU reports AVX-512F, unless the process environment already sets
    /// <c>ONEDNN_MAX_CPU_ISA</c> (then the user's value wins). This is the default.
    /// </summary>
    Auto = 0,

    /// <summary>Always cap oneDNN at AVX2 (<c>ONEDNN_MAX_CPU_ISA=AVX2</c>), whatever the CPU reports.</summary>
    ForceAvx2 = 1,

    /// <summary>Never touch <c>ONEDNN_MAX_CPU_ISA</c>. Only for CPUs verified with the self-check.</summary>
    Off = 2,
}
