namespace Hermes.Runtime;

/// <summary>
/// How Hermes' dense stride-1 "same" 3D convolutions compute their weight gradients on the CPU in training
/// (<see cref="Operations.TrainingConvolution"/>: <see cref="Operations.GemmWeightGradientConvolution"/>,
/// <see cref="Operations.WinogradWeightGradient"/>).
/// </summary>
public enum Conv3dWeightGradientMode
{
    /// <summary>
    /// While oneDNN runs below AVX-512 on x64 (the oneDNN guard's cap, <see cref="OneDnnGuard"/>, a lower user cap, or a CPU
    /// without AVX-512), where oneDNN computes weight gradients through im2col and its own AVX2 GEMM: the Winograd weight
    /// gradient for 3³ convolutions whose forward pass runs by Winograd and that have at least
    /// <see cref="Operations.WinogradWeightGradient.AutoMinChannels"/> input and output channels, the shifted-view GEMM for the
    /// others. <see cref="LibTorch"/> otherwise. The default.
    /// </summary>
    Auto = 0,

    /// <summary>Always LibTorch's own convolution backward.</summary>
    LibTorch = 1,

    /// <summary>Always the shifted-view GEMM (<see cref="Operations.GemmWeightGradientConvolution.WeightGradient"/>).</summary>
    Gemm = 2,

    /// <summary>
    /// The Winograd weight gradient (<see cref="Operations.WinogradWeightGradient"/>) wherever the convolution's forward pass
    /// runs by Winograd, whatever its channel counts; the shifted-view GEMM for the others.
    /// </summary>
    Winograd = 3,
}
