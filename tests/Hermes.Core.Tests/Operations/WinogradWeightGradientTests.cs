using Hermes.Operations;
using Hermes.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Core.Tests.Operations;

/// <summary>
/// The Winograd weight gradient equals LibTorch's <c>conv3d</c> weight gradient: in float32 within 2e-6 of the float64 result
/// (as close as the shifted-view GEMM), for batch 2, channel counts ≡ 4 and ≡ 8 (mod 16), odd channel counts, volumes two
/// voxels thin (every tile on the border), several blocks per row, non-contiguous inputs and gradients, and any slab size;
/// bad input is rejected with the shapes; <c>Auto</c> takes it only where Hermes' own weight-gradient kernels run.
/// </summary>
public sealed class WinogradWeightGradientTests
{
    public static TheoryData<long[], int, bool> Cases()
    {
        var data = new TheoryData<long[], int, bool>();
        foreach (var (shape, outChannels) in ConvolutionCases.WinogradShapes)
        {
            data.Add(shape, outChannels, false);
            data.Add(shape, outChannels, true);
        }

        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void Float32AgreesWithFloat64AsCloselyAsTheGemm(long[] shape, int outChannels, bool nonContiguous)
    {
        RequireSupport();
        using var scope = NewDisposeScope();
        var (x64, w64, g64) = ConvolutionCases.Inputs(shape, outChannels, 3, float64);
        var exact = ConvolutionCases.LibTorchWeightGradient(x64, w64, g64, 3);
        var x = nonContiguous ? x64.transpose(2, 4).contiguous().to(float32).transpose(2, 4) : x64.to(float32);
        var g = nonContiguous ? g64.transpose(2, 4).contiguous().to(float32).transpose(2, 4) : g64.to(float32);
        Assert.Equal(nonContiguous, !x.is_contiguous() && !g.is_contiguous());
        Assert.True(WinogradWeightGradient.Fits(x, g));
        var ours = WinogradWeightGradient.Compute(x, g);
        Assert.Equal(ScalarType.Float32, ours.dtype);
        Assert.Equal(exact.shape, ours.shape);
        ConvolutionCases.AssertClose(exact, ours, 2e-6, $"[{string.Join(", ", shape)}] → {outChannels}");
        var gemmError = (GemmWeightGradientConvolution.WeightGradient(x, g, 3).to(float64) - exact).abs().max().item<double>();
        var error = (ours.to(float64) - exact).abs().max().item<double>();
        Assert.True(error <= (3 * gemmError) + (1e-7 * exact.abs().max().item<double>()), $"Winograd error {error:G3} against the GEMM's {gemmError:G3}");
    }

    [SkippableTheory]
    [InlineData(1)] // one tile row per slab
    [InlineData(4)] // a slab count that does not divide the 6 tile rows: 4 + 2
    [InlineData(6)] // one slab per batch item
    public void SlabsGiveTheWholeVolumesResult(int rowsPerSlab)
    {
        RequireSupport();
        using var scope = NewDisposeScope();
        var (x, _, g) = ConvolutionCases.Inputs([2, 6, 4, 6, 16], 5, 3, float32); // 2 × 3 = 6 tile rows of 8 tiles per batch item
        long bytesPerRow = WinogradTransforms.Positions * (6 + 5) * 8 * sizeof(float);
        var whole = WinogradWeightGradient.ComputeInSlabs(x, g, long.MaxValue / 2);
        var sliced = WinogradWeightGradient.ComputeInSlabs(x, g, rowsPerSlab * bytesPerRow);
        ConvolutionCases.AssertClose(whole, sliced, 1e-6, $"{rowsPerSlab} row(s) per slab");
    }

    [SkippableFact]
    public void BadInputIsRejectedWithTheShapes()
    {
        RequireSupport();
        using var scope = NewDisposeScope();
        var x = randn([1, 8, 4, 4, 16]);
        var e = Assert.Throws<ArgumentException>(() => WinogradWeightGradient.Compute(x, randn([1, 16, 4, 4, 8])));
        Assert.Contains("[1, 16, 4, 4, 8]", e.Message, StringComparison.Ordinal);
        Assert.False(WinogradWeightGradient.Fits(randn([1, 8, 4, 4, 8]), randn([1, 16, 4, 4, 8])));      // W not a multiple of 16
        Assert.False(WinogradWeightGradient.Fits(randn([1, 8, 3, 4, 16]), randn([1, 16, 3, 4, 16])));    // odd D
        Assert.False(WinogradWeightGradient.Fits(x.to(float64), randn([1, 16, 4, 4, 16], dtype: float64)));
        Assert.False(WinogradWeightGradient.Fits(x, randn([2, 16, 4, 4, 16])));                          // batch differs
        Assert.Throws<ArgumentException>(() => WinogradWeightGradient.Compute(x.to(float64), randn([1, 16, 4, 4, 16], dtype: float64)));
    }

    [Theory]
    [InlineData(Conv3dWeightGradientMode.Auto, true, "AVX2", WinogradWeightGradient.AutoMinChannels)] // the guard's cap on an AVX-512 CPU
    [InlineData(Conv3dWeightGradientMode.Auto, false, null, WinogradWeightGradient.AutoMinChannels)]  // an AVX2-only CPU
    [InlineData(Conv3dWeightGradientMode.Auto, true, null, null)]                                     // uncapped AVX-512: LibTorch's backward
    [InlineData(Conv3dWeightGradientMode.Gemm, false, null, null)]
    [InlineData(Conv3dWeightGradientMode.LibTorch, false, null, null)]
    [InlineData(Conv3dWeightGradientMode.Winograd, true, null, 1)]
    public void AutoTakesItFromSixtyFourChannelsWhereHermesKernelsRun(Conv3dWeightGradientMode mode, bool avx512, string? cap, int? expected)
    {
        var cpu = new CpuInfo(System.Runtime.InteropServices.Architecture.X64, "AuthenticAMD", true, avx512);
        Assert.Equal(expected, HermesRuntime.WinogradWeightGradientMinChannels(mode, cpu, cap));
        var noAvx2 = new CpuInfo(System.Runtime.InteropServices.Architecture.X64, "GenuineIntel", false, false);
        Assert.Equal(mode == Conv3dWeightGradientMode.Winograd ? 1 : null, HermesRuntime.WinogradWeightGradientMinChannels(mode, noAvx2, cap));
    }

    [SkippableFact]
    public void TheThreadOverrideDecides()
    {
        HermesRuntime.EnsureInitialized();
        using (GemmWeightGradientConvolution.Use(Conv3dWeightGradientMode.Winograd))
        {
            Assert.Equal(1, WinogradWeightGradient.MinChannels);
            Assert.True(GemmWeightGradientConvolution.Enabled);
            using (GemmWeightGradientConvolution.Use(Conv3dWeightGradientMode.Gemm))
            {
                Assert.Null(WinogradWeightGradient.MinChannels);
            }

            using (GemmWeightGradientConvolution.Use(Conv3dWeightGradientMode.LibTorch))
            {
                Assert.Null(WinogradWeightGradient.MinChannels);
                Assert.False(GemmWeightGradientConvolution.Enabled);
            }
        }

        Assert.Equal(HermesRuntime.EnsureInitialized().WinogradWeightGradientMinChannels, WinogradWeightGradient.MinChannels);
    }

    private static void RequireSupport()
    {
        HermesRuntime.EnsureInitialized();
        Skip.IfNot(WinogradConvolution.IsSupported, "The Winograd weight gradient needs x64 with AVX2 and FMA.");
    }
}
