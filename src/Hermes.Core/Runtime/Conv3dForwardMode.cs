namespace Hermes.Runtime;

/// <summary>
/// How Hermes' dense 3³ stride-1 convolutions run their forward pass on the CPU (<see cref="Operations.WinogradConvolution"/>):
/// in inference, and in training also their input gradient, a convolution of the same kind
/// (<see cref="Operations.TrainingConvolution"/>; in training only where the weight gradient is not LibTorch's).
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
