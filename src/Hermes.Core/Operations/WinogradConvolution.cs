using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Hermes.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Operations;

/// <summary>
/// A dense 3³ convolution with stride 1 and padding 1 (no groups, no bias) computed with the Winograd algorithm
/// F(2×2×2, 3×3×3) on the CPU, for inference: 64 multiplications per 2×2×2 output tile instead of 216, between tile
/// transforms and multiply-adds written here with SIMD.
/// </summary>
/// <remarks>
/// <para>Why: LibTorch's float32 <c>conv3d</c> runs in oneDNN, which the oneDNN guard caps at AVX2 on AVX-512 CPUs
/// (<see cref="OneDnnGuard"/>); there a Hermes-R forward at 128³ is convolution-bound at AVX2 throughput. Here the
/// arithmetic is 3.4× lighter and not capped. Measured per layer on a 2-core Xeon (docs/performance.md): from 16 channels
/// in and out 2.4–4.8× faster than capped oneDNN and 1.5–2.1× faster than uncapped oneDNN, so
/// <see cref="Conv3dForwardMode.Auto"/> uses it from 16 channels (<see cref="HermesRuntime.WinogradMinChannels"/>).</para>
/// <para>How: layers up to <see cref="WinogradBlockedConvolution.MaxChannelProduct"/> input × output channels run block by
/// block in the cache (<see cref="WinogradBlockedConvolution"/>: one register of tiles at a time, transformed, multiplied
/// and transformed back by each thread). Wider layers run in slabs of tile rows (bounded to <see cref="SlabBytes"/> of
/// transformed tiles and products): the input is split into even and odd voxels along x, every channel's 4×4×4 patches are
/// transformed to <c>V[ξ, C_in, tiles]</c>, multiplied as <c>M[ξ] = U[ξ] · V[ξ]</c> with the transformed weight
/// <c>U[ξ, C_out, C_in]</c> (one <c>bmm</c> in LibTorch's BLAS), and each output channel's products are transformed back
/// into its 2×2×2 voxels (<see cref="WinogradTransforms"/>).</para>
/// <para>Numerics: the transforms only add and subtract (and the weight transform halves), so float32 results agree
/// with float64 to ~3e-7 relative — closer than oneDNN's direct convolution (~1e-6; <c>WinogradConvolutionTests</c>).</para>
/// <para>Scope: CPU float32 tensors, x64 with AVX2 and FMA (AVX-512 when the width allows), D and H even, W a multiple of 16,
/// each batch item's input and output under 2 GiB, and no gradient to record. <see cref="Applies"/> checks all of it; other
/// convolutions stay <c>conv3d</c>. Training reaches this class through <see cref="TrainingConvolution"/>, whose autograd node
/// runs its forward pass and its input gradient (a convolution with the flipped, transposed weight) here.</para>
/// </remarks>
public static class WinogradConvolution
{
    /// <summary>The budget for one slab's transformed tiles and products together, in bytes.</summary>
    internal const long SlabBytes = 32L << 20;

    /// <summary>Transformed-tile buffers above this size are written with non-temporal stores.</summary>
    private const long StreamingBytes = 8L << 20;

    [ThreadStatic]
    private static Conv3dForwardMode? threadOverride;

    /// <summary>
    /// The fewest channels — input and output — for which convolutions on this thread use the Winograd path now, or
    /// <see langword="null"/> when it is off.
    /// </summary>
    /// <remarks>
    /// The process-wide setting is <see cref="HermesRuntimeOptions.Conv3dForward"/>, resolved when the runtime initialises
    /// (<see cref="RuntimeReport.WinogradMinChannels"/>); <see cref="Use"/> overrides it for the calling thread.
    /// </remarks>
    public static int? MinChannels => threadOverride switch
    {
        Conv3dForwardMode.Winograd => 1,
        Conv3dForwardMode.LibTorch => null,
        _ => HermesRuntime.EnsureInitialized().WinogradMinChannels,
    };

    /// <summary>Overrides the mode for the calling thread until the returned scope is disposed (scopes nest).</summary>
    /// <param name="mode">The mode; <see cref="Conv3dForwardMode.Auto"/> restores the process-wide setting.</param>
    /// <returns>The scope; disposing it restores the previous override.</returns>
    public static IDisposable Use(Conv3dForwardMode mode)
    {
        if (!Enum.IsDefined(mode))
        {
            throw new ArgumentOutOfRangeException(nameof(mode), mode, $"Not a defined {nameof(Conv3dForwardMode)}.");
        }

        var previous = threadOverride;
        threadOverride = mode == Conv3dForwardMode.Auto ? null : mode;
        return new ThreadOverrideScope(() => threadOverride = previous);
    }

    /// <summary>Whether this process can run the Winograd path at all (x64 with AVX2 and FMA).</summary>
    public static bool IsSupported => Avx2.IsSupported && Fma.IsSupported;

    /// <summary>
    /// Whether <see cref="Convolve"/> should replace <c>conv3d(input, weight, stride, padding, groups)</c> here: no gradient
    /// will be recorded, CPU float32, a dense 3³ kernel with stride 1 and padding 1, D and H even, W a multiple of 16, each
    /// batch item under 2 GiB in and out, <see cref="IsSupported"/>, and at least <see cref="MinChannels"/> input and output channels.
    /// </summary>
    /// <param name="input">The convolution's input <c>[B, C_in, D, H, W]</c>.</param>
    /// <param name="weight">Its weight <c>[C_out, C_in / groups, k, k, k]</c>.</param>
    /// <param name="stride">Its stride (all three axes equal).</param>
    /// <param name="padding">Its padding (all three axes equal).</param>
    /// <param name="groups">Its groups.</param>
    public static bool Applies(Tensor input, Tensor weight, long stride, long padding, long groups)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        return !(is_grad_enabled() && (input.requires_grad || weight.requires_grad)) && Fits(input, weight, stride, padding, groups);
    }

    /// <summary>
    /// <see cref="Applies"/> without its first condition: whether the Winograd path fits this convolution whether or not a
    /// gradient is recorded — what <see cref="TrainingConvolution"/> asks of its forward pass and input gradient.
    /// </summary>
    internal static bool Fits(Tensor input, Tensor weight, long stride, long padding, long groups)
    {
        if (stride != 1 || padding != 1 || groups != 1 || input.dim() != 5 || weight.dim() != 5 ||
            weight.shape[2] != 3 || weight.shape[3] != 3 || weight.shape[4] != 3 || weight.shape[1] != input.shape[1] ||
            input.dtype != ScalarType.Float32 || weight.dtype != ScalarType.Float32 ||
            input.device_type != DeviceType.CPU || weight.device_type != DeviceType.CPU || !IsSupported)
        {
            return false;
        }

        long d = input.shape[2], h = input.shape[3], w = input.shape[4];
        long voxels = d * h * w;
        return d % 2 == 0 && h % 2 == 0 && w % 16 == 0 && d > 0 && h > 0 && FitsOneBuffer(input.shape[1], weight.shape[0], voxels) &&
            MinChannels is { } min && Math.Min(input.shape[1], weight.shape[0]) >= min;
    }

    /// <summary>Whether one batch item's input and output each stay under 2 GiB (the transforms address them as spans).</summary>
    internal static bool FitsOneBuffer(long inChannels, long outChannels, long voxels) =>
        Math.Max(inChannels, outChannels) * voxels < int.MaxValue / sizeof(float);

    /// <summary>
    /// <c>conv3d(input, weight, padding: 1)</c> by Winograd F(2×2×2, 3×3×3). No autograd record: training reaches it through
    /// <see cref="TrainingConvolution"/>, whose node computes the gradients.
    /// </summary>
    /// <param name="input">A CPU float32 tensor <c>[B, C_in, D, H, W]</c> with D and H even and W a multiple of 16.</param>
    /// <param name="weight">A CPU float32 weight <c>[C_out, C_in, 3, 3, 3]</c>.</param>
    /// <returns>The convolution's output <c>[B, C_out, D, H, W]</c>.</returns>
    /// <exception cref="ArgumentException">The shapes, dtypes or device do not fit.</exception>
    /// <exception cref="PlatformNotSupportedException">The CPU has no AVX2 or FMA (<see cref="IsSupported"/>).</exception>
    public static Tensor Convolve(Tensor input, Tensor weight)
    {
        Validate(input, weight);
        return input.shape[1] * weight.shape[0] <= WinogradBlockedConvolution.MaxChannelProduct
            ? WinogradBlockedConvolution.Convolve(input, weight)
            : ConvolveInSlabs(input, weight, SlabBytes);
    }

    /// <summary><see cref="Convolve"/> with slabs of at most <paramref name="slabBytes"/> (at least one tile row).</summary>
    internal static unsafe Tensor ConvolveInSlabs(Tensor input, Tensor weight, long slabBytes)
    {
        Validate(input, weight);
        long batch = input.shape[0], inChannels = input.shape[1], outChannels = weight.shape[0];
        long d = input.shape[2], h = input.shape[3], w = input.shape[4];
        long tileRows = h / 2, tileColumns = w / 2, rows = (d / 2) * tileRows;
        var wide = Avx512F.IsSupported && Vector512.IsHardwareAccelerated && tileColumns % 16 == 0;
        var threads = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, get_num_threads()) };

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var transformedWeight = TransformWeight(weight);
        var output = empty([batch, outChannels, d, h, w], dtype: ScalarType.Float32);
        var rowsPerSlab = Math.Clamp(slabBytes / (WinogradTransforms.Positions * (inChannels + outChannels) * tileColumns * sizeof(float)), 1, rows);
        var tileBuffer = empty([WinogradTransforms.Positions * inChannels * rowsPerSlab * tileColumns], dtype: ScalarType.Float32);
        var tilesBase = (nint)DataPointer(tileBuffer);

        // Slabs larger than the caches go past them (non-temporal stores of whole cache lines); smaller ones stay cached for
        // the GEMM. 256-bit stores fill half a line, which streaming would flush half-written: they always go through the cache.
        var streaming = wide && tileBuffer.NumberOfElements * sizeof(float) > StreamingBytes;
        for (long n = 0; n < batch; n++)
        {
            using var item = NewDisposeScope();
            var (even, odd) = SplitEvenOdd(input[n]);
            nint evenBase = (nint)DataPointer(even), oddBase = (nint)DataPointer(odd), outputBase = (nint)DataPointer(output[n]);
            long channelVolume = d * h * (tileColumns + 1), outputVolume = d * h * w;

            for (long first = 0; first < rows; first += rowsPerSlab)
            {
                using var slab = NewDisposeScope();
                var tiling = new WinogradTiling(d, h, tileRows, tileColumns, first, Math.Min(rowsPerSlab, rows - first));
                long columns = tiling.RowCount * tileColumns, inputStride = inChannels * columns, outputStride = outChannels * columns;
                TransformInputSlab(evenBase, oddBase, tilesBase, inChannels, channelVolume, tiling, wide, streaming, threads);

                var tiles = tileBuffer.narrow(0, 0, WinogradTransforms.Positions * inputStride).view(WinogradTransforms.Positions, inChannels, columns);
                var products = bmm(transformedWeight, tiles);
                var productsBase = (nint)DataPointer(products);
                Parallel.For(0, outChannels, threads, k =>
                {
                    float* m = (float*)productsBase + (k * columns), y = (float*)outputBase + (k * outputVolume);
                    if (wide)
                    {
                        WinogradTransforms.TransformOutput<Vector512<float>, WinogradLanes512>(m, y, outputStride, tiling);
                    }
                    else
                    {
                        WinogradTransforms.TransformOutput<Vector256<float>, WinogradLanes256>(m, y, outputStride, tiling);
                    }
                });
            }
        }

        return output.MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The weight in the Winograd domain, <c>U = G g Gᵀ</c> along each axis with
    /// <c>G = [[1, 0, 0], [½, ½, ½], [½, −½, ½], [0, 0, 1]]</c>: <c>[64, C_out, C_in]</c>, position ξ = 16·z + 4·y + x.
    /// </summary>
    /// <param name="weight">A weight <c>[C_out, C_in, 3, 3, 3]</c>.</param>
    internal static Tensor TransformWeight(Tensor weight)
    {
        using var scope = NewDisposeScope();
        var g = WeightTransformMatrix(weight.dtype);
        var u = einsum("ap,bq,cr,oipqr->abcoi", g, g, g, weight);
        return u.reshape(WinogradTransforms.Positions, weight.shape[0], weight.shape[1]).contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>
    /// One batch item <c>[C, D, H, W]</c> split along W into its even and odd voxels as the input transform reads them
    /// (<see cref="WinogradTransforms.TransformInput{TV, TLanes}"/>): <c>even[k] = x[2k − 1]</c>, <c>odd[k] = x[2k]</c>,
    /// each <c>[C, D, H, W / 2 + 1]</c>, zero outside the volume.
    /// </summary>
    /// <param name="x">The batch item; any strides.</param>
    internal static (Tensor Even, Tensor Odd) SplitEvenOdd(Tensor x)
    {
        long channels = x.shape[0], d = x.shape[1], h = x.shape[2], w = x.shape[3], tileColumns = w / 2;
        var even = empty([channels, d, h, tileColumns + 1], dtype: ScalarType.Float32);
        var odd = empty([channels, d, h, tileColumns + 1], dtype: ScalarType.Float32);
        even.narrow(3, 0, 1).zero_();
        even.narrow(3, 1, tileColumns).copy_(x.narrow(3, 1, w - 1).slice(3, 0, w - 1, 2));
        odd.narrow(3, tileColumns, 1).zero_();
        odd.narrow(3, 0, tileColumns).copy_(x.slice(3, 0, w, 2));
        return (even, odd);
    }

    /// <summary>
    /// Transforms one slab of tile rows of every channel, in parallel over the channels, into
    /// <c>tiles[ξ, channel, row · TileColumns + tx]</c> (<see cref="WinogradTransforms.TransformInput{TV, TLanes}"/>).
    /// </summary>
    /// <param name="evenBase">The even voxels <c>[C, D, H, W / 2 + 1]</c> (<see cref="SplitEvenOdd"/>).</param>
    /// <param name="oddBase">The odd voxels, laid out alike.</param>
    /// <param name="tilesBase">The slab's transformed tiles <c>[64, C, rows · TileColumns]</c>.</param>
    /// <param name="channels">C.</param>
    /// <param name="channelVolume">Floats per channel in the even and odd buffers.</param>
    /// <param name="tiling">The slab's rows.</param>
    /// <param name="wide">512-bit registers (else 256-bit).</param>
    /// <param name="streaming">Store past the cache.</param>
    /// <param name="threads">The parallelism.</param>
    internal static unsafe void TransformInputSlab(nint evenBase, nint oddBase, nint tilesBase, long channels, long channelVolume,
        WinogradTiling tiling, bool wide, bool streaming, ParallelOptions threads)
    {
        long columns = tiling.RowCount * tiling.TileColumns, stride = channels * columns;
        Parallel.For(0, channels, threads, c =>
        {
            float* e = (float*)evenBase + (c * channelVolume), o = (float*)oddBase + (c * channelVolume), t = (float*)tilesBase + (c * columns);
            if (wide)
            {
                WinogradTransforms.TransformInput<Vector512<float>, WinogradLanes512>(e, o, t, stride, tiling, streaming);
            }
            else
            {
                WinogradTransforms.TransformInput<Vector256<float>, WinogradLanes256>(e, o, t, stride, tiling, streaming);
            }
        });
    }

    /// <summary>G of F(2, 3), <c>[[1, 0, 0], [½, ½, ½], [½, −½, ½], [0, 0, 1]]</c>: the weight transform along one axis.</summary>
    /// <param name="dtype">The matrix's dtype.</param>
    internal static Tensor WeightTransformMatrix(ScalarType dtype) =>
        tensor(new float[] { 1, 0, 0, 0.5f, 0.5f, 0.5f, 0.5f, -0.5f, 0.5f, 0, 0, 1 }, [4, 3], dtype: dtype);

    /// <summary>The first float of a CPU float32 tensor's data (LibTorch's memory: not moved by the GC, alive while the tensor is).</summary>
    internal static unsafe float* DataPointer(Tensor tensor)
    {
        fixed (byte* bytes = tensor.bytes)
        {
            return (float*)bytes; // LibTorch's memory: not moved by the GC, alive while the tensor is
        }
    }

    private static void Validate(Tensor input, Tensor weight)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(weight);
        if (!IsSupported)
        {
            throw new PlatformNotSupportedException("The Winograd convolution needs an x64 CPU with AVX2 and FMA.");
        }

        if (input.dim() != 5 || weight.dim() != 5 || weight.shape[1] != input.shape[1] || weight.shape[2] != 3 || weight.shape[3] != 3 ||
            weight.shape[4] != 3 || input.dtype != ScalarType.Float32 || weight.dtype != ScalarType.Float32 ||
            input.device_type != DeviceType.CPU || weight.device_type != DeviceType.CPU ||
            input.shape[2] % 2 != 0 || input.shape[3] % 2 != 0 || input.shape[4] % 16 != 0 || input.shape[2] == 0 || input.shape[3] == 0)
        {
            throw new ArgumentException(
                "The Winograd convolution needs a CPU float32 input [B, C_in, D, H, W] with D and H even and W a multiple of 16, and a " +
                $"CPU float32 weight [C_out, C_in, 3, 3, 3]; got input {input.dtype} {input.device_type} [{string.Join(", ", input.shape)}], " +
                $"weight {weight.dtype} {weight.device_type} [{string.Join(", ", weight.shape)}].",
                nameof(input));
        }

        if (!FitsOneBuffer(input.shape[1], weight.shape[0], input.shape[2] * input.shape[3] * input.shape[4]))
        {
            throw new ArgumentException(
                $"The Winograd convolution handles batch items of under 2 GiB in and out; [{string.Join(", ", input.shape)}] with {weight.shape[0]} " +
                "output channels is larger: use conv3d.",
                nameof(input));
        }
    }
}
