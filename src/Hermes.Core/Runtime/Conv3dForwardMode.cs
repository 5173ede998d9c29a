namespace Hermes.Runtime;

/// <summary>
/// How Hermes' dense 3³ stride-1 convolutions run their forward pass on the CPU when no gradient is recorded (inference)
/// (<see cref="Operations.WinogradConvolution"/>).
/// </summary>
public enum Conv3dForwardMode
{
    /// <summary>
    /// On x64 with AVX2: <see cref="Winograd"/> for layers with at least <see cref="HermesRuntime.WinogradMinChannelsCapped"/>
    /// input and output channels while oneDNN runs below AVX-512 (the oneDNN guard's cap, a lower <c>ONEDNN_MAX_CPU_ISA</c>, or
    /// a CPU without AVX-512), and at least <see cref="HermesRuntime.WinogradMinChannelsUncapped"/> when oneDNN runs its
    /// AVX-512 kernels (both 16) — where it measured faster (<see cref="HermesRuntime.WinogradMinChannels"/>); <see cref="LibTorch"/>
    /// elsewhere. The default.
    /// </summary>
    Auto = 0,

    /// <summary>Always LibTorch's <c>conv3d</c>.</summary>
    LibTorch = 1,

    /// <summary>The Winograd convolution wherever it applies (<see cref="Operations.WinogradConvolution.Applies"/>).</summary>
    Winograd = 2,
}
