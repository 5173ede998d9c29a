using Hermes.Operations;
using Hermes.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Core.Tests.Operations;

/// <summary>
/// The shifted-view GEMM weight gradient equals the weight gradient of LibTorch's <c>conv3d</c>: to float64 rounding in
/// float64, and within float32 summation error of the float64 result in float32 — for odd and even channel counts
/// (≡ 8 mod 16 among them), batches, non-cubic volumes and 5³ kernels; and <c>Auto</c> picks it where oneDNN runs below
/// AVX-512. The autograd node that uses it is tested by <see cref="TrainingConvolutionTests"/>.
/// </summary>
public sealed class GemmWeightGradientConvolutionTests
{
    public static TheoryData<long[], int, int> Shapes => new()
    {
        { [2, 8, 12, 10, 9], 24, 3 },   // batch 2, non-cubic, output channels ≡ 8 (mod 16)
        { [1, 24, 16, 16, 16], 8, 3 },  // input channels ≡ 8 (mod 16)
        { [2, 5, 6, 7, 8], 7, 5 },      // odd widths, a 5³ kernel
        { [1, 3, 4, 1, 5], 2, 3 },      // an axis of length 1: only the centre taps see data
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Float64WeightGradientEqualsLibTorch(long[] shape, int outChannels, int kernel)
    {
        HermesRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var (x, w, g) = ConvolutionCases.Inputs(shape, outChannels, kernel, float64);
        var expected = ConvolutionCases.LibTorchWeightGradient(x, w, g, kernel);
        var ours = GemmWeightGradientConvolution.WeightGradient(x, g, kernel);
        Assert.Equal(expected.shape, ours.shape);
        var scale = expected.abs().max().item<double>();
        var error = (ours - expected).abs().max().item<double>();
        Assert.True(error <= 1e-12 * scale, $"max |Δ| = {error:G3} (scale {scale:G3})");
    }

    [Theory]
    [InlineData(1, 3)] // one plane per slab: every slab's depth halo comes from its neighbours
    [InlineData(2, 5)] // two planes per slab, a 5³ kernel (a halo of two planes on each side)
    [InlineData(3, 3)] // slabs that do not divide the depth (13 = 3 + 3 + 3 + 3 + 1)
    public void DepthSlabsGiveTheWholeVolumesResult(int planesPerSlab, int kernel)
    {
        HermesRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        long[] shape = [2, 6, 13, 9, 7];
        var (x, w, g) = ConvolutionCases.Inputs(shape, 5, kernel, float64);
        long plane = (9 + kernel - 1) * (7 + kernel - 1);
        var sliced = GemmWeightGradientConvolution.WeightGradientInSlabs(x, g, kernel, planesPerSlab * (6 + 5) * plane);
        var expected = ConvolutionCases.LibTorchWeightGradient(x, w, g, kernel);
        ConvolutionCases.AssertClose(expected, sliced, 1e-12, $"{planesPerSlab} plane(s) per slab");
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Float32WeightGradientAgreesWithFloat64(long[] shape, int outChannels, int kernel)
    {
        HermesRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var (x, w, g) = ConvolutionCases.Inputs(shape, outChannels, kernel, float64);
        var exact = ConvolutionCases.LibTorchWeightGradient(x, w, g, kernel);
        var ours = GemmWeightGradientConvolution.WeightGradient(x.to(float32), g.to(float32), kernel);
        Assert.Equal(ScalarType.Float32, ours.dtype);
        var scale = exact.abs().max().item<double>();
        var error = (ours.to(float64) - exact).abs().max().item<double>();
        Assert.True(error <= 1e-5 * scale, $"max |f32 − f64| = {error:G3} (scale {scale:G3})");
    }

    [Fact]
    public void BadInputIsRejectedWithTheShapes()
    {
        HermesRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var x = randn([1, 8, 8, 8, 8]);
        var g = Assert.Throws<ArgumentException>(() => GemmWeightGradientConvolution.WeightGradient(x, randn([1, 16, 8, 8, 7]), 3));
        Assert.Contains("[1, 16, 8, 8, 7]", g.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => GemmWeightGradientConvolution.WeightGradient(x, randn([1, 16, 8, 8, 8]), 4));
    }

    [Theory]
    [InlineData(Conv3dWeightGradientMode.Auto, true, "AVX2", true)]        // the guard's cap on an AVX-512 CPU
    [InlineData(Conv3dWeightGradientMode.Auto, true, null, false)]         // uncapped AVX-512: oneDNN's own kernel is faster
    [InlineData(Conv3dWeightGradientMode.Auto, true, "AVX512_CORE", false)] // a user's AVX-512 cap
    [InlineData(Conv3dWeightGradientMode.Auto, true, "avx2", true)]
    [InlineData(Conv3dWeightGradientMode.Auto, false, null, true)]         // an AVX2-only CPU: the same AVX2 im2col path
    [InlineData(Conv3dWeightGradientMode.LibTorch, false, null, false)]
    [InlineData(Conv3dWeightGradientMode.Gemm, true, null, true)]
    [InlineData(Conv3dWeightGradientMode.Winograd, true, null, true)]     // Hermes' kernels: Winograd where it fits, the GEMM elsewhere
    public void AutoUsesTheGemmWhereOneDnnRunsBelowAvx512(Conv3dWeightGradientMode mode, bool avx512, string? cap, bool expected)
    {
        var cpu = new CpuInfo(System.Runtime.InteropServices.Architecture.X64, "AuthenticAMD", true, avx512);
        Assert.Equal(expected, HermesRuntime.UsesGemmWeightGradients(mode, cpu, cap));
        var arm = new CpuInfo(System.Runtime.InteropServices.Architecture.Arm64, string.Empty, false, false);
        Assert.Equal(mode is Conv3dWeightGradientMode.Gemm or Conv3dWeightGradientMode.Winograd, HermesRuntime.UsesGemmWeightGradients(mode, arm, cap));
    }
}
