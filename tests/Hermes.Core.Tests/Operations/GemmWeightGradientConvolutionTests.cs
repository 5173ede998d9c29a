using Hermes.Operations;
using Hermes.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Core.Tests.Operations;

/// <summary>
/// The shifted-view GEMM weight gradient equals the weight gradient of LibTorch's <c>conv3d</c>: to float64 rounding in
/// float64, and within float32 summation error of the float64 result in float32 — for odd and even channel counts
/// (≡ 8 mod 16 among them), batches, non-cubic volumes and 5³ kernels; the autograd node returns LibTorch's input gradient
/// and routes gradients to non-leaf weights; and the switch applies only where it should.
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
        var (x, w, g) = Inputs(shape, outChannels, kernel, float64);
        var expected = LibTorchWeightGradient(x, w, g, kernel);
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
        var (x, w, g) = Inputs(shape, 5, kernel, float64);
        long plane = (9 + kernel - 1) * (7 + kernel - 1);
        var sliced = GemmWeightGradientConvolution.WeightGradientInSlabs(x, g, kernel, planesPerSlab * (6 + 5) * plane);
        var expected = LibTorchWeightGradient(x, w, g, kernel);
        AssertClose(expected, sliced, 1e-12, $"{planesPerSlab} plane(s) per slab");
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Float32WeightGradientAgreesWithFloat64(long[] shape, int outChannels, int kernel)
    {
        HermesRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var (x, w, g) = Inputs(shape, outChannels, kernel, float64);
        var exact = LibTorchWeightGradient(x, w, g, kernel);
        var ours = GemmWeightGradientConvolution.WeightGradient(x.to(float32), g.to(float32), kernel);
        Assert.Equal(ScalarType.Float32, ours.dtype);
        var scale = exact.abs().max().item<double>();
        var error = (ours.to(float64) - exact).abs().max().item<double>();
        Assert.True(error <= 1e-5 * scale, $"max |f32 − f64| = {error:G3} (scale {scale:G3})");
    }

    [Fact]
    public void ConvolveGivesLibTorchsOutputAndBothGradients()
    {
        HermesRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var (x64, w64, g64) = Inputs([2, 24, 16, 12, 10], 8, 3, float64);
        var x = x64.to(float32).requires_grad_(true);
        var w = w64.to(float32).requires_grad_(true);
        var y = GemmWeightGradientConvolution.Convolve(x, w);
        using (no_grad())
        {
            var plain = nn.functional.conv3d(x, w, padding: [1, 1, 1]);
            Assert.True(y.eq(plain).all().item<bool>(), "the forward pass must be LibTorch's conv3d itself");
        }

        y.backward([g64.to(float32)]);

        var xr = x64.clone().requires_grad_(true);
        var wr = w64.clone().requires_grad_(true);
        nn.functional.conv3d(xr, wr, padding: [1, 1, 1]).backward([g64]);
        AssertClose(xr.grad!, x.grad!, 1e-5, "input gradient");
        AssertClose(wr.grad!, w.grad!, 1e-5, "weight gradient");
    }

    [Fact]
    public void GradientsReachANonLeafWeightAndOnlyTheTensorsThatNeedThem()
    {
        HermesRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var (x, w, g) = Inputs([1, 16, 8, 8, 8], 32, 3, float64);
        var first = w.narrow(0, 0, 16).clone().requires_grad_(true);
        var second = w.narrow(0, 16, 16).clone().requires_grad_(true);
        var stacked = cat([first, second], 0); // as BasicBlock stacks conv1 and shortcut
        GemmWeightGradientConvolution.Convolve(x, stacked).backward([g]); // the input needs no gradient
        Assert.Null(x.grad);
        var expected = LibTorchWeightGradient(x, w, g, 3);
        AssertClose(expected.narrow(0, 0, 16), first.grad!, 1e-12, "first half");
        AssertClose(expected.narrow(0, 16, 16), second.grad!, 1e-12, "second half");

        var xi = x.clone().requires_grad_(true);
        var frozen = w.clone(); // no gradient wanted for the weight
        GemmWeightGradientConvolution.Convolve(xi, frozen).backward([g]);
        Assert.Null(frozen.grad);
        var xr = x.clone().requires_grad_(true);
        nn.functional.conv3d(xr, w, padding: [1, 1, 1]).backward([g]);
        AssertClose(xr.grad!, xi.grad!, 1e-12, "input gradient with a frozen weight");
    }

    [Fact]
    public void RepeatedStepsThroughTwoNodesGiveTheSameGradientsEachTime()
    {
        // The node disposes the gradients it returned at the thread's next backward call; every step must still see
        // complete, correct gradients, including a weight used twice (its two contributions summed by autograd).
        HermesRuntime.EnsureInitialized();
        using var outer = NewDisposeScope();
        var (x64, w64, g64) = Inputs([1, 16, 12, 12, 12], 16, 3, float64);
        var xr = x64.clone().requires_grad_(true);
        var wr = w64.clone().requires_grad_(true);
        nn.functional.conv3d(nn.functional.conv3d(xr, wr, padding: [1, 1, 1]), wr, padding: [1, 1, 1]).backward([g64]);
        var w = w64.to(float32).requires_grad_(true);
        for (var step = 0; step < 4; step++)
        {
            using var scope = NewDisposeScope();
            w.grad?.zero_();
            var x = x64.to(float32).requires_grad_(true);
            var hidden = GemmWeightGradientConvolution.Convolve(x, w);
            GemmWeightGradientConvolution.Convolve(hidden, w).backward([g64.to(float32)]);
            AssertClose(xr.grad!, x.grad!, 1e-5, $"step {step}: input gradient");
            AssertClose(wr.grad!, w.grad!, 1e-5, $"step {step}: weight gradient of a weight used twice");
        }
    }

    [Fact]
    public void AppliesOnlyToDenseStrideOneSameConvolutionsThatRecordAWeightGradient()
    {
        HermesRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var x = randn([1, 8, 8, 8, 8]);
        var w = randn([16, 8, 3, 3, 3]).requires_grad_(true);
        using (GemmWeightGradientConvolution.Use(Conv3dWeightGradientMode.Gemm))
        {
            Assert.True(GemmWeightGradientConvolution.Enabled);
            Assert.True(GemmWeightGradientConvolution.Applies(x, w, stride: 1, padding: 1, groups: 1));
            Assert.False(GemmWeightGradientConvolution.Applies(x, w, stride: 2, padding: 1, groups: 1));
            Assert.False(GemmWeightGradientConvolution.Applies(x, w, stride: 1, padding: 0, groups: 1));
            Assert.False(GemmWeightGradientConvolution.Applies(x, randn([8, 1, 3, 3, 3]).requires_grad_(true), 1, 1, groups: 8));
            Assert.False(GemmWeightGradientConvolution.Applies(x, randn([16, 8, 1, 1, 1]).requires_grad_(true), 1, 0, 1));
            Assert.False(GemmWeightGradientConvolution.Applies(x, randn([16, 8, 3, 3, 3]), 1, 1, 1)); // no weight gradient wanted
            using (no_grad())
            {
                Assert.False(GemmWeightGradientConvolution.Applies(x, w, 1, 1, 1)); // inference
            }

            using (GemmWeightGradientConvolution.Use(Conv3dWeightGradientMode.LibTorch))
            {
                Assert.False(GemmWeightGradientConvolution.Enabled);
                Assert.False(GemmWeightGradientConvolution.Applies(x, w, 1, 1, 1));
            }

            Assert.True(GemmWeightGradientConvolution.Enabled); // the inner scope restored the outer override
        }

        Assert.Equal(HermesRuntime.EnsureInitialized().GemmWeightGradients, GemmWeightGradientConvolution.Enabled);
        Assert.Throws<ArgumentOutOfRangeException>(() => GemmWeightGradientConvolution.Use((Conv3dWeightGradientMode)7));
    }

    [Fact]
    public void BadInputIsRejectedWithTheShapes()
    {
        HermesRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var x = randn([1, 8, 8, 8, 8]);
        var e = Assert.Throws<ArgumentException>(() => GemmWeightGradientConvolution.Convolve(x, randn([16, 4, 3, 3, 3])));
        Assert.Contains("[16, 4, 3, 3, 3]", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => GemmWeightGradientConvolution.Convolve(x, randn([16, 8, 2, 2, 2])));
        Assert.Throws<ArgumentException>(() => GemmWeightGradientConvolution.Convolve(x, randn([16, 8, 3, 3, 3], dtype: float64)));
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
    public void AutoUsesTheGemmWhereOneDnnRunsBelowAvx512(Conv3dWeightGradientMode mode, bool avx512, string? cap, bool expected)
    {
        var cpu = new CpuInfo(System.Runtime.InteropServices.Architecture.X64, "AuthenticAMD", true, avx512);
        Assert.Equal(expected, HermesRuntime.UsesGemmWeightGradients(mode, cpu, cap));
        var arm = new CpuInfo(System.Runtime.InteropServices.Architecture.Arm64, string.Empty, false, false);
        Assert.Equal(mode == Conv3dWeightGradientMode.Gemm, HermesRuntime.UsesGemmWeightGradients(mode, arm, cap));
    }

    private static (Tensor X, Tensor W, Tensor G) Inputs(long[] shape, int outChannels, int kernel, ScalarType dtype)
    {
        var gen = new Generator(11);
        var x = randn(shape, dtype: dtype, generator: gen);
        var w = randn([outChannels, shape[1], kernel, kernel, kernel], dtype: dtype, generator: gen) / Math.Sqrt(shape[1] * kernel * kernel * kernel);
        var g = randn([shape[0], outChannels, shape[2], shape[3], shape[4]], dtype: dtype, generator: gen);
        return (x, w, g);
    }

    private static Tensor LibTorchWeightGradient(Tensor x, Tensor w, Tensor g, int kernel)
    {
        var wr = w.detach().clone().requires_grad_(true);
        var p = kernel / 2;
        var y = nn.functional.conv3d(x.detach(), wr, padding: [p, p, p]);
        return autograd.grad([y], [wr], [g])[0];
    }

    private static void AssertClose(Tensor expected, Tensor actual, double relative, string what)
    {
        var scale = expected.abs().max().item<double>();
        var error = (actual.to(float64) - expected.to(float64)).abs().max().item<double>();
        Assert.True(error <= relative * Math.Max(scale, 1e-30), $"{what}: max |Δ| = {error:G3} (scale {scale:G3}, tolerance {relative:G2} relative)");
    }
}
