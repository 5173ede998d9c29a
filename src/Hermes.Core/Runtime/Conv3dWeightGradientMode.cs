namespace Hermes.Runtime;

/// <summary>
/// How Hermes' dense stride-1 "same" 3D convolutions compute their weight gradients on the CPU
/// (<see cref="Operations.GemmWeightGradientConvolution"/>).
/// </summary>
public enum Conv3dWeightGradientMode
{
    /// <summary>
    /// <see cref="Gemm"/> while oneDNN is capped below AVX-512 by the oneDNN guard (<see cref="OneDnnGuard"/>), where oneDNN
    /// computes weight gradients through im2col and its own AVX2 GEMM; <see cref="LibTorch"/> otherwise. The default.
    /// </summary>
    Auto = 0,

    /// <summary>Always LibTorch's own convolution backward.</summary>
    LibTorch = 1,

    /// <summary>Always the shifted-view GEMM (<see cref="Operations.GemmWeightGradientConvolution.WeightGradient"/>).</summary>
    Gemm = 2,
}
