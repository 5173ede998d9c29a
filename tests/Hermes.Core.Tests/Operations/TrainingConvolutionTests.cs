using Hermes.Operations;
using Hermes.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Core.Tests.Operations;

/// <summary>
/// The training convolution (<see cref="TrainingConvolution"/>: Winograd forward and input gradient where the kernel fits,
/// Winograd or GEMM weight gradient) gives LibTorch's float64 output and both gradients within float32 rounding — in every mode,
/// for odd sizes (where it falls back to LibTorch's kernels), channel counts ≡ 4 and ≡ 8 mod 16, batch 2, and
/// non-contiguous inputs and output gradients; routes gradients to non-leaf and frozen weights; and applies only where it should.
/// </summary>
public sealed class TrainingConvolutionTests
{
    public static TheoryData<long[], int, Conv3dForwardMode, Conv3dWeightGradientMode, bool> Cases()
    {
        var shapes = new (long[] Shape, int OutChannels)[]
        {
            ([2, 24, 4, 6, 16], 8),   // batch 2, input channels ≡ 8 (mod 16), output channels 8
            ([1, 20, 6, 4, 32], 36),  // input and output channels ≡ 4 (mod 16)
            ([2, 12, 5, 7, 9], 8),    // odd sizes: the Winograd kernel does not fit, LibTorch's forward and input gradient run
            ([1, 40, 2, 2, 16], 24),  // a 2×2 cross-section: every tile of the forward and of the input gradient reads padding
        };
        var data = new TheoryData<long[], int, Conv3dForwardMode, Conv3dWeightGradientMode, bool>();
        foreach (var (shape, outChannels) in shapes)
        {
            foreach (var (forward, weights) in new[]
            {
                (Conv3dForwardMode.Winograd, Conv3dWeightGradientMode.Winograd),
                (Conv3dForwardMode.Winograd, Conv3dWeightGradientMode.Gemm),
                (Conv3dForwardMode.LibTorch, Conv3dWeightGradientMode.Winograd), // the weight gradient follows the forward: GEMM here
            })
            {
                data.Add(shape, outChannels, forward, weights, false);
                data.Add(shape, outChannels, forward, weights, true);
            }
        }

        return data;
    }

    [SkippableTheory]
    [MemberData(nameof(Cases))]
    public void OutputAndBothGradientsAgreeWithFloat64(long[] shape, int outChannels, Conv3dForwardMode forward, Conv3dWeightGradientMode weights, bool nonContiguous)
    {
        HermesRuntime.EnsureInitialized();
        Skip.If(forward == Conv3dForwardMode.Winograd && !WinogradConvolution.IsSupported, "The Winograd convolution needs x64 with AVX2 and FMA.");
        using var scope = NewDisposeScope();
        var (x64, w64, g64) = ConvolutionCases.Inputs(shape, outChannels, 3, float64);
        var xr = x64.clone().requires_grad_(true);
        var wr = w64.clone().requires_grad_(true);
        var expected = nn.functional.conv3d(xr, wr, padding: [1, 1, 1]);
        expected.backward([g64]);

        // Non-contiguous: the input and the output gradient are transposed views of tensors laid out with D and W swapped.
        var x = nonContiguous
            ? x64.transpose(2, 4).contiguous().transpose(2, 4).to(float32).detach().requires_grad_(true)
            : x64.to(float32).requires_grad_(true);
        var g = nonContiguous ? g64.transpose(2, 4).contiguous().to(float32).transpose(2, 4) : g64.to(float32);
        Assert.Equal(nonContiguous, !x.is_contiguous() && !g.is_contiguous());
        var w = w64.to(float32).requires_grad_(true);
        Tensor y;
        bool winograd;
        using (WinogradConvolution.Use(forward))
        using (GemmWeightGradientConvolution.Use(weights))
        {
            Assert.Equal(weights == Conv3dWeightGradientMode.Winograd ? 1 : null, WinogradWeightGradient.MinChannels);
            winograd = WinogradConvolution.Fits(x, w, 1, 1, 1);
            Assert.True(TrainingConvolution.Applies(x, w, 1, 1, 1));
            y = TrainingConvolution.Convolve(x, w);
        }

        Assert.Equal(forward == Conv3dForwardMode.Winograd && shape[4] % 16 == 0, winograd); // the case covers the path it names
        y.backward([g]);
        var what = $"{(winograd ? "Winograd" : "LibTorch")} forward, {(winograd && weights == Conv3dWeightGradientMode.Winograd ? "Winograd" : "GEMM")} " +
            $"weight gradient, [{string.Join(", ", shape)}] → {outChannels}{(nonContiguous ? ", non-contiguous" : string.Empty)}";
        ConvolutionCases.AssertClose(expected, y, 2e-6, $"{what}: output");
        ConvolutionCases.AssertClose(xr.grad!, x.grad!, 2e-6, $"{what}: input gradient");
        ConvolutionCases.AssertClose(wr.grad!, w.grad!, 1e-5, $"{what}: weight gradient");
    }

    [SkippableFact]
    public void AFrozenWeightGetsNoGradientAndTheInputsIsWinogradsWithinRounding()
    {
        HermesRuntime.EnsureInitialized();
        Skip.IfNot(WinogradConvolution.IsSupported, "The Winograd convolution needs x64 with AVX2 and FMA.");
        using var scope = NewDisposeScope();
        var (x64, w64, g64) = ConvolutionCases.Inputs([2, 16, 4, 4, 16], 32, 3, float64);
        var xr = x64.clone().requires_grad_(true);
        nn.functional.conv3d(xr, w64, padding: [1, 1, 1]).backward([g64]);
        var x = x64.to(float32).requires_grad_(true);
        var frozen = w64.to(float32);
        using (WinogradConvolution.Use(Conv3dForwardMode.Winograd))
        {
            Assert.True(TrainingConvolution.Applies(x, frozen, 1, 1, 1));
            TrainingConvolution.Convolve(x, frozen).backward([g64.to(float32)]);
        }

        Assert.Null(frozen.grad);
        ConvolutionCases.AssertClose(xr.grad!, x.grad!, 2e-6, "input gradient through a frozen weight");
    }

    [Fact]
    public void ConvolveGivesLibTorchsOutputAndBothGradients()
    {
        HermesRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var (x64, w64, g64) = ConvolutionCases.Inputs([2, 24, 16, 12, 10], 8, 3, float64);
        var x = x64.to(float32).requires_grad_(true);
        var w = w64.to(float32).requires_grad_(true);
        Tensor y;
        using (WinogradConvolution.Use(Conv3dForwardMode.LibTorch))
        {
            y = TrainingConvolution.Convolve(x, w);
        }

        using (no_grad())
        {
            var plain = nn.functional.conv3d(x, w, padding: [1, 1, 1]);
            Assert.True(y.eq(plain).all().item<bool>(), "with the LibTorch forward mode the forward pass must be LibTorch's conv3d itself");
        }

        y.backward([g64.to(float32)]);

        var xr = x64.clone().requires_grad_(true);
        var wr = w64.clone().requires_grad_(true);
        nn.functional.conv3d(xr, wr, padding: [1, 1, 1]).backward([g64]);
        ConvolutionCases.AssertClose(xr.grad!, x.grad!, 1e-5, "input gradient");
        ConvolutionCases.AssertClose(wr.grad!, w.grad!, 1e-5, "weight gradient");
    }

    [Fact]
    public void GradientsReachANonLeafWeightAndOnlyTheTensorsThatNeedThem()
    {
        HermesRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var (x, w, g) = ConvolutionCases.Inputs([1, 16, 8, 8, 8], 32, 3, float64);
        var first = w.narrow(0, 0, 16).clone().requires_grad_(true);
        var second = w.narrow(0, 16, 16).clone().requires_grad_(true);
        var stacked = cat([first, second], 0); // as BasicBlock stacks conv1 and shortcut
        TrainingConvolution.Convolve(x, stacked).backward([g]); // the input needs no gradient
        Assert.Null(x.grad);
        var expected = ConvolutionCases.LibTorchWeightGradient(x, w, g, 3);
        ConvolutionCases.AssertClose(expected.narrow(0, 0, 16), first.grad!, 1e-12, "first half");
        ConvolutionCases.AssertClose(expected.narrow(0, 16, 16), second.grad!, 1e-12, "second half");

        var xi = x.clone().requires_grad_(true);
        var frozen = w.clone(); // no gradient wanted for the weight
        TrainingConvolution.Convolve(xi, frozen).backward([g]);
        Assert.Null(frozen.grad);
        var xr = x.clone().requires_grad_(true);
        nn.functional.conv3d(xr, w, padding: [1, 1, 1]).backward([g]);
        ConvolutionCases.AssertClose(xr.grad!, xi.grad!, 1e-12, "input gradient with a frozen weight");
    }

    [Fact]
    public void RepeatedStepsThroughTwoNodesGiveTheSameGradientsEachTime()
    {
        // The node disposes the gradients it returned at the thread's next backward call; every step must still see
        // complete, correct gradients, including a weight used twice (its two contributions summed by autograd).
        HermesRuntime.EnsureInitialized();
        using var outer = NewDisposeScope();
        var (x64, w64, g64) = ConvolutionCases.Inputs([1, 16, 12, 12, 12], 16, 3, float64);
        var xr = x64.clone().requires_grad_(true);
        var wr = w64.clone().requires_grad_(true);
        nn.functional.conv3d(nn.functional.conv3d(xr, wr, padding: [1, 1, 1]), wr, padding: [1, 1, 1]).backward([g64]);
        var w = w64.to(float32).requires_grad_(true);
        for (var step = 0; step < 4; step++)
        {
            using var scope = NewDisposeScope();
            w.grad?.zero_();
            var x = x64.to(float32).requires_grad_(true);
            var hidden = TrainingConvolution.Convolve(x, w);
            TrainingConvolution.Convolve(hidden, w).backward([g64.to(float32)]);
            ConvolutionCases.AssertClose(xr.grad!, x.grad!, 1e-5, $"step {step}: input gradient");
            ConvolutionCases.AssertClose(wr.grad!, w.grad!, 1e-5, $"step {step}: weight gradient of a weight used twice");
        }
    }

    [Fact]
    public void AppliesOnlyToDenseStrideOneSameConvolutionsThatRecordAGradient()
    {
        HermesRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var x = randn([1, 8, 8, 8, 8]);
        var w = randn([16, 8, 3, 3, 3]).requires_grad_(true);
        using (GemmWeightGradientConvolution.Use(Conv3dWeightGradientMode.Gemm))
        {
            Assert.True(GemmWeightGradientConvolution.Enabled);
            Assert.True(TrainingConvolution.Applies(x, w, stride: 1, padding: 1, groups: 1));
            Assert.False(TrainingConvolution.Applies(x, w, stride: 2, padding: 1, groups: 1));
            Assert.False(TrainingConvolution.Applies(x, w, stride: 1, padding: 0, groups: 1));
            Assert.False(TrainingConvolution.Applies(x, randn([8, 1, 3, 3, 3]).requires_grad_(true), 1, 1, groups: 8));
            Assert.False(TrainingConvolution.Applies(x, randn([16, 8, 1, 1, 1]).requires_grad_(true), 1, 0, 1));
            Assert.False(TrainingConvolution.Applies(x, randn([16, 8, 3, 3, 3]), 1, 1, 1)); // no gradient wanted at all
            var xi = randn([1, 8, 8, 8, 16]).requires_grad_(true);
            var frozen = randn([16, 8, 3, 3, 3]);
            using (WinogradConvolution.Use(Conv3dForwardMode.Winograd))
            {
                // A frozen weight takes the node for its input gradient where the Winograd kernel fits, and only there.
                Assert.Equal(WinogradConvolution.IsSupported, TrainingConvolution.Applies(xi, frozen, 1, 1, 1));
                Assert.False(TrainingConvolution.Applies(randn([1, 8, 8, 8, 10]).requires_grad_(true), frozen, 1, 1, 1)); // W not a multiple of 16
            }

            using (WinogradConvolution.Use(Conv3dForwardMode.LibTorch))
            {
                Assert.False(TrainingConvolution.Applies(xi, frozen, 1, 1, 1));
                Assert.True(TrainingConvolution.Applies(xi, w, 1, 1, 1)); // the weight gradient alone still comes from the GEMM
            }
            using (no_grad())
            {
                Assert.False(TrainingConvolution.Applies(x, w, 1, 1, 1)); // inference
            }

            using (GemmWeightGradientConvolution.Use(Conv3dWeightGradientMode.LibTorch))
            {
                Assert.False(GemmWeightGradientConvolution.Enabled);
                Assert.False(TrainingConvolution.Applies(x, w, 1, 1, 1));
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
        var e = Assert.Throws<ArgumentException>(() => TrainingConvolution.Convolve(x, randn([16, 4, 3, 3, 3])));
        Assert.Contains("[16, 4, 3, 3, 3]", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => TrainingConvolution.Convolve(x, randn([16, 8, 2, 2, 2])));
        Assert.Throws<ArgumentException>(() => TrainingConvolution.Convolve(x, randn([16, 8, 3, 3, 3], dtype: float64)));
    }
}
