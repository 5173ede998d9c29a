using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Hermes.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Operations;

/// <summary>
/// The weight gradient of a dense 3³ convolution with stride 1 and padding 1 (no groups, no bias) by the Winograd algorithm
/// F(2×2×2, 3×3×3) run backwards: 64 products per 2×2×2 output tile and channel pair instead of the 216 of the shifted-view
/// GEMM (<see cref="GemmWeightGradientConvolution"/>).
/// </summary>
/// <remarks>
/// <para>Why: with the Winograd forward pass and input gradient in training (<see cref="TrainingConvolution"/>), the GEMM's
/// weight gradients became the larger part of a Hermes-R backward pass (docs/performance-history.md, "Training convolutions by Winograd").</para>
/// <para>How: the forward pass computes each output tile as <c>Y = Aᵀ [U ⊙ V] A</c> along each axis, with the transformed
/// weight <c>U = G w Gᵀ</c> and the transformed 4³ input patch <c>V = Bᵀ d B</c> (<see cref="WinogradTransforms"/>). So the
/// gradient with respect to <c>U</c> at position ξ is <c>∂U[ξ] = Σ_tiles (A ∂Y Aᵀ)[ξ] · V[ξ]ᵀ</c> — one product
/// <c>[C_out, tiles] · [tiles, C_in]</c> per position, batched over the 64 positions in LibTorch's BLAS — and
/// <c>∂w = Gᵀ ∂U G</c>. Both tile transforms are the forward's SIMD code (<see cref="WinogradTransforms.TransformInput{TV, TLanes}"/>)
/// and its adjoint (<see cref="WinogradTransforms.TransformOutputGradient{TV, TLanes}"/>), run in slabs of tile rows bounded
/// to <see cref="SlabBytes"/>, so the transformed tiles stay in the cache for the product and memory stays bounded.</para>
/// <para>Numerics: the tile transforms only add and subtract and the weight transform halves; float32 results agree with
/// float64 to ~1e-6 relative, as the GEMM's do (<c>WinogradWeightGradientTests</c>).</para>
/// <para>Scope: what <see cref="WinogradConvolution"/> handles — CPU float32, x64 with AVX2 and FMA, D and H even, W a
/// multiple of 16, batch items under 2 GiB (<see cref="Fits"/>).</para>
/// </remarks>
public static class WinogradWeightGradient
{
    /// <summary>
    /// The fewest channels, input and output, from which <see cref="Conv3dWeightGradientMode.Auto"/> uses this class: measured
    /// per Hermes-R layer on a 2-core AMD EPYC (Zen 3, AVX2), 1.3–2.2× faster than the GEMM from 64 channels, 0.75–0.9× for
    /// 32 → 32 at 64³ (docs/performance.md).
    /// </summary>
    public const int AutoMinChannels = 64;

    /// <summary>
    /// The fewest channels, input and output, for which trained convolutions on this thread take their weight gradients from
    /// this class now, or <see langword="null"/> when it is off: 1 with <see cref="Conv3dWeightGradientMode.Winograd"/>,
    /// <see cref="AutoMinChannels"/> where <see cref="Conv3dWeightGradientMode.Auto"/> uses Hermes' kernels, off otherwise.
    /// Only convolutions whose forward pass runs by Winograd take it (<see cref="TrainingConvolution"/>).
    /// </summary>
    public static int? MinChannels => GemmWeightGradientConvolution.ThreadOverride switch
    {
        Conv3dWeightGradientMode.Winograd => 1,
        Conv3dWeightGradientMode.Gemm or Conv3dWeightGradientMode.LibTorch => null,
        _ => HermesRuntime.EnsureInitialized().WinogradWeightGradientMinChannels,
    };

    /// <summary>The budget for one slab's transformed input and output-gradient tiles together, in bytes.</summary>
    internal const long SlabBytes = 16L << 20;

    /// <summary>
    /// Whether <see cref="Compute"/> handles this pair: CPU float32 <c>[B, C_in, D, H, W]</c> input and
    /// <c>[B, C_out, D, H, W]</c> output gradient with D and H even and W a multiple of 16, each batch item under 2 GiB, on a
    /// CPU with AVX2 and FMA.
    /// </summary>
    /// <param name="input">The convolution's input.</param>
    /// <param name="gradOutput">The gradient of the loss with respect to its output.</param>
    public static bool Fits(Tensor input, Tensor gradOutput)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(gradOutput);
        if (input.dim() != 5 || gradOutput.dim() != 5 || input.shape[0] != gradOutput.shape[0] || input.shape[2] != gradOutput.shape[2] ||
            input.shape[3] != gradOutput.shape[3] || input.shape[4] != gradOutput.shape[4] ||
            input.dtype != ScalarType.Float32 || gradOutput.dtype != ScalarType.Float32 ||
            input.device_type != DeviceType.CPU || gradOutput.device_type != DeviceType.CPU || !WinogradConvolution.IsSupported)
        {
            return false;
        }

        long d = input.shape[2], h = input.shape[3], w = input.shape[4];
        return d > 0 && h > 0 && d % 2 == 0 && h % 2 == 0 && w % 16 == 0 &&
            WinogradConvolution.FitsOneBuffer(input.shape[1], gradOutput.shape[1], d * h * w);
    }

    /// <summary>
    /// <c>∂L/∂W[o, i, a, b, c] = Σ_{n, d, h, w} ∂L/∂y[n, o, d, h, w] · x_pad[n, i, d + a, h + b, w + c]</c> for a 3³ kernel
    /// with padding 1, by Winograd F(2×2×2, 3×3×3).
    /// </summary>
    /// <param name="input">The convolution's input <c>[B, C_in, D, H, W]</c>.</param>
    /// <param name="gradOutput">The gradient of the loss with respect to its output <c>[B, C_out, D, H, W]</c>.</param>
    /// <returns>A new float32 tensor <c>[C_out, C_in, 3, 3, 3]</c>.</returns>
    /// <exception cref="ArgumentException">The shapes, dtypes or device do not fit (<see cref="Fits"/>).</exception>
    public static Tensor Compute(Tensor input, Tensor gradOutput) => ComputeInSlabs(input, gradOutput, SlabBytes);

    /// <summary><see cref="Compute"/> with slabs of at most <paramref name="slabBytes"/> (at least one tile row).</summary>
    internal static unsafe Tensor ComputeInSlabs(Tensor input, Tensor gradOutput, long slabBytes)
    {
        if (!Fits(input, gradOutput))
        {
            throw new ArgumentException(
                "The Winograd weight gradient needs an x64 CPU with AVX2 and FMA, a CPU float32 input [B, C_in, D, H, W] with D and H even " +
                $"and W a multiple of 16, and an output gradient [B, C_out, D, H, W] like it; got input {input.dtype} {input.device_type} " +
                $"[{string.Join(", ", input.shape)}], output gradient {gradOutput.dtype} {gradOutput.device_type} [{string.Join(", ", gradOutput.shape)}].",
                nameof(gradOutput));
        }

        long batch = input.shape[0], inChannels = input.shape[1], outChannels = gradOutput.shape[1];
        long d = input.shape[2], h = input.shape[3], w = input.shape[4];
        long tileRows = h / 2, tileColumns = w / 2, rows = (d / 2) * tileRows;
        var wide = Avx512F.IsSupported && Vector512.IsHardwareAccelerated && tileColumns % 16 == 0;
        var threads = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, get_num_threads()) };

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var rowsPerSlab = Math.Clamp(slabBytes / (WinogradTransforms.Positions * (inChannels + outChannels) * tileColumns * sizeof(float)), 1, rows);
        var inputTiles = empty([WinogradTransforms.Positions * inChannels * rowsPerSlab * tileColumns], dtype: ScalarType.Float32);
        var gradientTiles = empty([WinogradTransforms.Positions * outChannels * rowsPerSlab * tileColumns], dtype: ScalarType.Float32);
        nint inputTilesBase = (nint)WinogradConvolution.DataPointer(inputTiles), gradientTilesBase = (nint)WinogradConvolution.DataPointer(gradientTiles);
        var transformed = zeros([WinogradTransforms.Positions, outChannels, inChannels], dtype: ScalarType.Float32);
        for (long n = 0; n < batch; n++)
        {
            using var item = NewDisposeScope();
            var (even, odd) = WinogradConvolution.SplitEvenOdd(input[n]);
            var gradient = gradOutput[n].contiguous();
            nint evenBase = (nint)WinogradConvolution.DataPointer(even), oddBase = (nint)WinogradConvolution.DataPointer(odd);
            var gradientBase = (nint)WinogradConvolution.DataPointer(gradient);
            long channelVolume = d * h * (tileColumns + 1), gradientVolume = d * h * w;

            for (long first = 0; first < rows; first += rowsPerSlab)
            {
                using var slab = NewDisposeScope();
                var tiling = new WinogradTiling(d, h, tileRows, tileColumns, first, Math.Min(rowsPerSlab, rows - first));
                long columns = tiling.RowCount * tileColumns, inputStride = inChannels * columns, gradientStride = outChannels * columns;
                WinogradConvolution.TransformInputSlab(evenBase, oddBase, inputTilesBase, inChannels, channelVolume, tiling, wide, streaming: false, threads);
                Parallel.For(0, outChannels, threads, k =>
                {
                    float* g = (float*)gradientBase + (k * gradientVolume), t = (float*)gradientTilesBase + (k * columns);
                    if (wide)
                    {
                        WinogradTransforms.TransformOutputGradient<Vector512<float>, WinogradLanes512>(g, t, gradientStride, tiling);
                    }
                    else
                    {
                        WinogradTransforms.TransformOutputGradient<Vector256<float>, WinogradLanes256>(g, t, gradientStride, tiling);
                    }
                });

                // ∂U[ξ] += ∂M[ξ] · V[ξ]ᵀ over this slab's tiles, for all 64 positions at once.
                var v = inputTiles.narrow(0, 0, WinogradTransforms.Positions * inputStride).view(WinogradTransforms.Positions, inChannels, columns);
                var m = gradientTiles.narrow(0, 0, WinogradTransforms.Positions * gradientStride).view(WinogradTransforms.Positions, outChannels, columns);
                transformed.add_(bmm(m, v.transpose(1, 2)));
            }
        }

        // ∂w = Gᵀ ∂U G along each axis, with G of WinogradConvolution.TransformWeight; positions ξ = 16·z + 4·y + x.
        var g3 = WinogradConvolution.WeightTransformMatrix(ScalarType.Float32);
        var u = transformed.view(4, 4, 4, outChannels, inChannels);
        return einsum("ap,bq,cr,abcoi->oipqr", g3, g3, g3, u).contiguous().MoveToOuterDisposeScope();
    }
}
