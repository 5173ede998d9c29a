using Hermes.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Operations;

/// <summary>
/// The weight gradient of a dense, stride-1, "same"-padded 3D convolution (odd cubic kernel k, padding k / 2, no groups, no
/// bias), computed by k³ matrix products over shifted views of the padded input instead of LibTorch's convolution backward;
/// <see cref="TrainingConvolution"/> records convolutions whose weight gradients come from here.
/// </summary>
/// <remarks>
/// <para>Why: under the oneDNN guard's AVX2 cap (<see cref="OneDnnGuard"/>), oneDNN has no direct 3D weight-gradient
/// kernel and falls back to im2col plus its own AVX2 GEMM; that took 4.7 s of a 10.6 s Hermes-R forward+backward at 64³
/// on a 2-core Xeon. The shifted-view products run in LibTorch's BLAS (not limited by <c>ONEDNN_MAX_CPU_ISA</c>), need no
/// im2col buffer, and measured 2.0–2.3× faster per layer (docs/performance.md). Without the cap oneDNN's AVX-512 kernel is
/// faster, so <see cref="Conv3dWeightGradientMode.Auto"/> uses this class only where oneDNN runs below AVX-512 on x64 (the
/// guard's cap, a lower user cap, or a CPU without AVX-512; <see cref="HermesRuntime.UsesGemmWeightGradients"/>).</para>
/// <para>How: flatten the padded input <c>[C_in, D+2p, H+2p, W+2p]</c> (one depth slab at a time) to <c>[C_in, P]</c>. The input voxel under kernel tap
/// (a, b, c) of the output voxel at flat padded position j is j + a·(H+2p)(W+2p) + b·(W+2p) + c, so with the output
/// gradient placed on the same padded grid (zeros outside the D×H×W corner), tap (a, b, c)'s weight gradient is one product
/// <c>G[C_out, L] · X[:, off : off + L]ᵀ</c> of two strided views — no copies beyond the two padded tensors.</para>
/// <para>Numerics: the same sums in another order; float32 results agree with float64 to ~1e-6 relative
/// (<c>GemmWeightGradientConvolutionTests</c>).</para>
/// </remarks>
public static class GemmWeightGradientConvolution
{
    /// <summary>
    /// How many values the two padded depth slabs of <see cref="WeightGradient"/> may hold together (4 MB in float32): small
    /// enough for the 27 products over one slab to find it in the last-level cache. Measured on a 2-core AMD EPYC (Zen 3,
    /// 32 MB L3) per Hermes-R layer: 1.1–1.6× faster than slabs of 8 M values (docs/performance.md).
    /// </summary>
    private const long SlabElements = 1L << 20;

    [ThreadStatic]
    private static Conv3dWeightGradientMode? threadOverride;

    /// <summary>
    /// Whether convolutions on this thread take their weight gradients from Hermes' kernels now — this GEMM, or
    /// <see cref="WinogradWeightGradient"/> where <see cref="WinogradWeightGradient.MinChannels"/> allows — rather than from
    /// LibTorch's convolution backward.
    /// </summary>
    /// <remarks>
    /// The process-wide setting is <see cref="HermesRuntimeOptions.Conv3dWeightGradient"/>, resolved when the runtime
    /// initialises (<see cref="RuntimeReport.GemmWeightGradients"/>); <see cref="Use"/> overrides it for the calling thread.
    /// </remarks>
    public static bool Enabled => threadOverride switch
    {
        Conv3dWeightGradientMode.Gemm or Conv3dWeightGradientMode.Winograd => true,
        Conv3dWeightGradientMode.LibTorch => false,
        _ => HermesRuntime.EnsureInitialized().GemmWeightGradients,
    };

    /// <summary>The mode the calling thread overrides the process-wide setting with, if any (<see cref="Use"/>).</summary>
    internal static Conv3dWeightGradientMode? ThreadOverride => threadOverride;

    /// <summary>Overrides the mode for the calling thread until the returned scope is disposed (scopes nest).</summary>
    /// <param name="mode">The mode; <see cref="Conv3dWeightGradientMode.Auto"/> restores the process-wide setting.</param>
    /// <returns>The scope; disposing it restores the previous override.</returns>
    public static IDisposable Use(Conv3dWeightGradientMode mode)
    {
        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, $"Not a defined {nameof(Conv3dWeightGradientMode)}.");
        }

        var previous = threadOverride;
        threadOverride = mode == Conv3dWeightGradientMode.Auto ? null : mode;
        return new ThreadOverrideScope(() => threadOverride = previous);
    }

    /// <summary>
    /// The gradient of a dense stride-1 convolution with padding k / 2 with respect to its weight:
    /// <c>∂L/∂W[o, i, a, b, c] = Σ_{n, d, h, w} ∂L/∂y[n, o, d, h, w] · x_pad[n, i, d + a, h + b, w + c]</c>.
    /// </summary>
    /// <param name="input">The convolution's input <c>[B, C_in, D, H, W]</c>.</param>
    /// <param name="gradOutput">The gradient of the loss with respect to its output <c>[B, C_out, D, H, W]</c>.</param>
    /// <param name="kernelSize">The odd cubic kernel size k.</param>
    /// <returns>A new tensor <c>[C_out, C_in, k, k, k]</c> of the input's dtype.</returns>
    /// <exception cref="ArgumentException">The shapes do not fit.</exception>
    public static Tensor WeightGradient(Tensor input, Tensor gradOutput, int kernelSize) =>
        WeightGradientInSlabs(input, gradOutput, kernelSize, SlabElements);

    /// <summary><see cref="WeightGradient"/> with depth slabs of at most <paramref name="slabElements"/> values (at least one plane).</summary>
    internal static Tensor WeightGradientInSlabs(Tensor input, Tensor gradOutput, int kernelSize, long slabElements)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(gradOutput);
        if (kernelSize < 1 || kernelSize % 2 == 0)
        {
            throw new ArgumentOutOfRangeException(nameof(kernelSize), kernelSize, "The kernel size must be odd and positive.");
        }

        if (input.dim() != 5 || gradOutput.dim() != 5 || input.shape[0] != gradOutput.shape[0] ||
            input.shape[2] != gradOutput.shape[2] || input.shape[3] != gradOutput.shape[3] || input.shape[4] != gradOutput.shape[4] ||
            input.dtype != gradOutput.dtype)
        {
            throw new ArgumentException(
                $"The output gradient {gradOutput.dtype} [{string.Join(", ", gradOutput.shape)}] does not fit a \"same\" convolution of the input " +
                $"{input.dtype} [{string.Join(", ", input.shape)}] (expected [B, C_out, D, H, W] with the input's B, D, H, W and dtype).",
                nameof(gradOutput));
        }

        long batch = input.shape[0], inChannels = input.shape[1], outChannels = gradOutput.shape[1];
        long d = input.shape[2], h = input.shape[3], w = input.shape[4];
        long p = kernelSize / 2, hp = h + (2 * p), wp = w + (2 * p), plane = hp * wp;
        long reach = (kernelSize - 1) * (plane + wp + 1); // the flat offset of the last kernel tap

        // Depth slabs bound the two padded copies to ~SlabElements values, whatever the volume.
        var slab = Math.Clamp(slabElements / ((inChannels + outChannels) * plane), 1, d);
        using var scope = NewDisposeScope();
        var taps = zeros([(long)kernelSize * kernelSize * kernelSize, outChannels, inChannels], dtype: input.dtype, device: input.device);
        var inputSlab = empty([inChannels, slab + (2 * p), hp, wp], dtype: input.dtype, device: input.device);
        var gradSlab = empty([outChannels, slab + (2 * p), hp, wp], dtype: input.dtype, device: input.device);
        for (long n = 0; n < batch; n++)
        {
            for (long d0 = 0; d0 < d; d0 += slab)
            {
                using var step = NewDisposeScope();
                long depth = Math.Min(slab, d - d0), planes = depth + (2 * p), span = (planes * plane) - reach;

                // Padded-input planes d0 … d0 + depth + 2p − 1, i.e. input depths d0 − p … d0 + depth + p − 1, zero outside.
                long first = Math.Max(d0 - p, 0), last = Math.Min(d0 + depth + p, d);
                var x = inputSlab.narrow(1, 0, planes);
                x.zero_();
                x.narrow(1, first - (d0 - p), last - first).narrow(2, p, h).narrow(3, p, w).copy_(input[n].narrow(1, first, last - first));

                // The output gradient on the same grid: output voxel (d0 + i, y, z) at padded position (i, y, z).
                var g = gradSlab.narrow(1, 0, planes);
                g.zero_();
                g.narrow(1, 0, depth).narrow(2, 0, h).narrow(3, 0, w).copy_(gradOutput[n].narrow(1, d0, depth));

                var inputFlat = x.view(inChannels, planes * plane);
                var gradFlat = g.view(outChannels, planes * plane).narrow(1, 0, span);
                long tap = 0;
                for (long a = 0; a < kernelSize; a++)
                {
                    for (long b = 0; b < kernelSize; b++)
                    {
                        for (long c = 0; c < kernelSize; c++, tap++)
                        {
                            using var shifted = inputFlat.narrow(1, (a * plane) + (b * wp) + c, span);
                            using var shiftedT = shifted.t();
                            using var target = taps[tap];
                            target.addmm_(gradFlat, shiftedT);
                        }
                    }
                }
            }
        }

        return taps.view(kernelSize, kernelSize, kernelSize, outChannels, inChannels).permute(3, 4, 0, 1, 2).contiguous().MoveToOuterDisposeScope();
    }
}
