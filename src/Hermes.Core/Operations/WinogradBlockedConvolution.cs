using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Operations;

/// <summary>
/// <see cref="WinogradConvolution"/>'s computation for one block of tiles at a time, every step in the cache: each thread
/// takes a register's worth of consecutive tiles (16 with AVX-512, 8 with AVX2), transforms their input patches for all
/// input channels, multiplies them with the transformed weight position by position (a register-blocked multiply-add written
/// here), and transforms the products straight into the output.
/// </summary>
/// <remarks>
/// Why not one large matrix product per position: F(2×2×2, 3×3×3) turns each 2×2×2 tile into 64 transformed values, 8× the
/// input, so the transformed tiles of a volume do not fit in any cache, and at narrow channel counts writing and reading them
/// back costs more than the arithmetic (measured 2026-11-30, 32→32 channels at 128³ under the AVX2 cap: 0.69 s through slabs
/// and <c>bmm</c> against 0.27 s blocked; docs/performance.md). Blocked, a block's transformed values (64 · C_in registers) and
/// products (64 · C_out) stay in the core's L2.
/// </remarks>
[SkipLocalsInit]
internal static unsafe class WinogradBlockedConvolution
{
    /// <summary>Tile rows a thread takes at a time (consecutive rows share half their input rows).</summary>
    private const int RowsPerChunk = 2;

    /// <summary>
    /// The most input × output channels for which <see cref="WinogradConvolution"/> takes this path: wider layers' transformed
    /// weights (64 · C_in · C_out floats, 2 MiB here) no longer stay in the cache from one block to the next, and the slab path
    /// with one matrix product per position measured as fast or faster there (2026-11-30, 2-core Xeon: 128→128 at 32³ 1.0–1.4×,
    /// 192→128 at 64³ 1.0–1.2×, 256→256 at 16³ 2.6× faster by slabs; 96→64 at 128³ 1.1–1.3× and 64→64 at 64³ 1.6–1.7× faster blocked).
    /// </summary>
    public const long MaxChannelProduct = 64 * 128;

    /// <summary><c>conv3d(input, weight, padding: 1)</c>; the arguments are validated by <see cref="WinogradConvolution"/>.</summary>
    /// <param name="input">CPU float32 <c>[B, C_in, D, H, W]</c>, D and H even, W a multiple of 16.</param>
    /// <param name="weight">CPU float32 <c>[C_out, C_in, 3, 3, 3]</c>.</param>
    /// <param name="allowWide">Use 512-bit registers where the CPU and W allow (false: 256-bit, as on an AVX2-only CPU).</param>
    public static Tensor Convolve(Tensor input, Tensor weight, bool allowWide = true)
    {
        var wide = allowWide && Avx512F.IsSupported && Vector512.IsHardwareAccelerated && input.shape[4] % 32 == 0;
        return wide
            ? Convolve<Vector512<float>, WinogradLanes512>(input, weight)
            : Convolve<Vector256<float>, WinogradLanes256>(input, weight);
    }

    private static Tensor Convolve<TV, TLanes>(Tensor input, Tensor weight)
        where TV : unmanaged
        where TLanes : IWinogradLanes<TV>
    {
        long batch = input.shape[0], inChannels = input.shape[1], outChannels = weight.shape[0];
        long d = input.shape[2], h = input.shape[3], w = input.shape[4];
        long tileColumns = w / 2, rowLength = tileColumns + 1, tileRows = h / 2, rows = (d / 2) * tileRows;
        long outBlock = TLanes.Count == 16 ? 16 : 8, paddedOut = (outChannels + outBlock - 1) / outBlock * outBlock;
        var threads = Math.Max(1, get_num_threads());

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var transformed = WinogradConvolution.TransformWeight(weight); // [64, C_out, C_in]
        var weights = zeros([WinogradTransforms.Positions, inChannels, paddedOut], dtype: ScalarType.Float32);
        weights.narrow(2, 0, outChannels).copy_(transformed.permute(0, 2, 1));
        var x = input.contiguous();
        var output = empty([batch, outChannels, d, h, w], dtype: ScalarType.Float32);
        var split = empty([d * h * inChannels * 2 * rowLength], dtype: ScalarType.Float32);
        var zeroRow = zeros([(2 * rowLength) + TLanes.Count], dtype: ScalarType.Float32);
        var weightsBase = (nint)WinogradConvolution.DataPointer(weights);
        var splitBase = (nint)WinogradConvolution.DataPointer(split);
        var zeroBase = (nint)WinogradConvolution.DataPointer(zeroRow);
        for (long n = 0; n < batch; n++)
        {
            using var item = NewDisposeScope();
            var itemOutput = output[n];
            WinogradRowSplit.Split<TV, TLanes>(WinogradConvolution.DataPointer(x[n]), (float*)splitBase, inChannels, d, h, w, threads);
            var outputBase = (nint)WinogradConvolution.DataPointer(itemOutput);
            long next = 0;
            Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, _ =>
            {
                // Odd register strides between positions keep the 64 positions of a channel out of each other's cache sets.
                long valueStride = inChannels | 1, productStride = paddedOut | 1;
                var values = (TV*)NativeMemory.AlignedAlloc((nuint)(WinogradTransforms.Positions * valueStride * sizeof(TV)), 64);
                var products = (TV*)NativeMemory.AlignedAlloc((nuint)(WinogradTransforms.Positions * productStride * sizeof(TV)), 64);
                try
                {
                    var tiling = new BlockTiling(
                        (float*)weightsBase, (float*)splitBase, (float*)zeroBase, (float*)outputBase,
                        inChannels, outChannels, paddedOut, d, h, w, valueStride, productStride);
                    long chunk;
                    while ((chunk = Interlocked.Increment(ref next) - 1) * RowsPerChunk < rows)
                    {
                        for (long row = chunk * RowsPerChunk; row < Math.Min(rows, (chunk + 1) * RowsPerChunk); row++)
                        {
                            ConvolveRow<TV, TLanes>(tiling, row / tileRows, row % tileRows, values, products);
                        }
                    }
                }
                finally
                {
                    NativeMemory.AlignedFree(values);
                    NativeMemory.AlignedFree(products);
                }
            });
        }

        return output.MoveToOuterDisposeScope();
    }

    /// <summary>All blocks of tile row (tz, ty).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ConvolveRow<TV, TLanes>(in BlockTiling t, long tz, long ty, TV* values, TV* products)
        where TV : unmanaged
        where TLanes : IWinogradLanes<TV>
    {
        long rowLength = (t.Width / 2) + 1, channelStep = 2 * rowLength;
        float** firstRows = stackalloc float*[16];
        float** rows = stackalloc float*[16];
        long* steps = stackalloc long[16];
        for (int dz = 0; dz < 4; dz++)
        {
            for (int dy = 0; dy < 4; dy++)
            {
                long z = (2 * tz) + dz - 1, y = (2 * ty) + dy - 1;
                var inside = z >= 0 && z < t.Depth && y >= 0 && y < t.Height;
                firstRows[(4 * dz) + dy] = inside ? t.Split + (((z * t.Height) + y) * t.InChannels * channelStep) : null;
                steps[(4 * dz) + dy] = inside ? channelStep : 0;
            }
        }

        long plane = t.Height * t.Width, volume = t.Depth * plane;
        var outputRow = t.Output + (2 * tz * plane) + (2 * ty * t.Width);
        for (long tx = 0; tx < t.Width / 2; tx += TLanes.Count)
        {
            for (int q = 0; q < 16; q++)
            {
                rows[q] = firstRows[q] is null ? t.ZeroRow : firstRows[q] + tx;
            }

            for (long c = 0; c < t.InChannels; c++)
            {
                WinogradBlockTransforms.TransformInput<TV, TLanes>(rows, rowLength, values + c, t.ValueStride);
                for (int q = 0; q < 16; q++)
                {
                    rows[q] += steps[q];
                }
            }

            for (int xi = 0; xi < WinogradTransforms.Positions; xi++)
            {
                WinogradBlockTransforms.Multiply<TV, TLanes>(
                    t.Weights + (xi * t.InChannels * t.PaddedOutChannels), values + (xi * t.ValueStride), products + (xi * t.ProductStride),
                    t.InChannels, t.PaddedOutChannels);
            }

            for (long k = 0; k < t.OutChannels; k++)
            {
                WinogradBlockTransforms.TransformOutput<TV, TLanes>(products + k, t.ProductStride, outputRow + (k * volume) + (2 * tx), t.Width, plane);
            }
        }
    }

    /// <summary>What every block of one batch item shares: the buffers and the shapes.</summary>
    [StructLayout(LayoutKind.Auto)]
    private readonly struct BlockTiling(
        float* weights, float* split, float* zeroRow, float* output,
        long inChannels, long outChannels, long paddedOutChannels, long depth, long height, long width, long valueStride, long productStride)
    {
        public float* Weights { get; } = weights;

        public float* Split { get; } = split;

        public float* ZeroRow { get; } = zeroRow;

        public float* Output { get; } = output;

        public long InChannels { get; } = inChannels;

        public long OutChannels { get; } = outChannels;

        public long PaddedOutChannels { get; } = paddedOutChannels;

        public long Depth { get; } = depth;

        public long Height { get; } = height;

        public long Width { get; } = width;

        public long ValueStride { get; } = valueStride;

        public long ProductStride { get; } = productStride;
    }
}
