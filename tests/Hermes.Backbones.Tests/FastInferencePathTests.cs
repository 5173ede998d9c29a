using Hermes.Backbones.Blocks;
using Hermes.Runtime;
using Hermes.Testing;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Backbones.Tests;

/// <summary>
/// The shortcuts the backbones take for speed compute what the plain formulation computes: the pairwise max-pool equals
/// <c>max_pool3d</c> exactly, and a residual block's shared pre-activation with stacked weights equals its two
/// pre-activated convolutions, in value and gradient (float64); inference and training take the Winograd kernel where the
/// modes say so.
/// </summary>
public sealed class FastInferencePathTests
{
    [Theory]
    [InlineData(1, 4, 8, 8, 8)]
    [InlineData(2, 3, 9, 6, 7)] // odd lengths: the trailing voxel is dropped, as max_pool3d does
    public void PairwiseMaxPoolEqualsMaxPool3dExactly(long b, long c, long d, long h, long w)
    {
        HermesRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var x = randn([b, c, d, h, w], generator: new Generator(3));
        x[0, 0, 0, 0, 0] = x[0, 0, 0, 0, 1]; // a tie
        using var pool = new HalvingMaxPool();
        var reference = nn.functional.max_pool3d(x, [2, 2, 2], [2, 2, 2]);
        using (no_grad())
        {
            var fast = pool.forward(x);
            Assert.Equal(reference.shape, fast.shape);
            Assert.True(TensorEquality.Same(fast, reference));
        }

        // With autograd the module is max_pool3d itself: the gradient goes to one arg-max voxel per window.
        var xg = x.detach().requires_grad_(true);
        var gy = randn(reference.shape, generator: new Generator(4));
        var g = autograd.grad([(pool.forward(xg) * gy).sum()], [xg])[0];
        var xr = x.detach().requires_grad_(true);
        var gr = autograd.grad([(nn.functional.max_pool3d(xr, [2, 2, 2], [2, 2, 2]) * gy).sum()], [xr])[0];
        Assert.True(TensorEquality.Same(g, gr));
    }

    [SkippableFact]
    public void ConvolutionBlocksRunInferenceThroughWinogradWhereItApplies()
    {
        HermesRuntime.EnsureInitialized();
        Skip.IfNot(Hermes.Operations.WinogradConvolution.IsSupported, "The Winograd convolution needs x64 with AVX2.");
        using var scope = NewDisposeScope();
        random.manual_seed(5);
        using var block = new ConvNormAct(8, 16);
        var x = randn([1, 8, 4, 6, 16], generator: new Generator(6));
        Tensor winograd, libTorch;
        using (no_grad())
        {
            var pre = block.PreActivate(x);
            using (Hermes.Operations.WinogradConvolution.Use(Conv3dForwardMode.Winograd))
            {
                winograd = block.forward(x);
                Assert.True(TensorEquality.Same(winograd, Hermes.Operations.WinogradConvolution.Convolve(pre, block.Weight)));
            }

            using (Hermes.Operations.WinogradConvolution.Use(Conv3dForwardMode.LibTorch))
            {
                libTorch = block.forward(x);
                Assert.True(TensorEquality.Same(libTorch, nn.functional.conv3d(pre, block.Weight, padding: [1, 1, 1])));
            }
        }

        Assert.False(TensorEquality.Same(winograd, libTorch)); // two different summation orders: the switch took effect
        var error = (winograd - libTorch).abs().max().item<float>();
        Assert.True(error <= 1e-5f * libTorch.abs().max().item<float>(), $"max |Winograd − conv3d| = {error}");

        // With autograd the block runs TrainingConvolution: the same Winograd forward while Hermes' weight-gradient kernels
        // are on, LibTorch's convolution whole when the weight gradients are LibTorch's.
        using (Hermes.Operations.WinogradConvolution.Use(Conv3dForwardMode.Winograd))
        {
            using (Hermes.Operations.GemmWeightGradientConvolution.Use(Conv3dWeightGradientMode.Gemm))
            {
                var trained = block.forward(x);
                Assert.True(trained.requires_grad);
                Assert.True(TensorEquality.Same(trained.detach(), winograd));
            }

            using (Hermes.Operations.GemmWeightGradientConvolution.Use(Conv3dWeightGradientMode.LibTorch))
            {
                var trained = block.forward(x);
                Assert.True(trained.requires_grad);
                Assert.True(TensorEquality.Same(trained.detach(), libTorch));
            }
        }
    }

    [Fact]
    public void SharedPreActivationOfAResidualBlockEqualsTwoSeparateConvolutions()
    {
        HermesRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        random.manual_seed(11);
        using var block = new BasicBlock(6, 4, stride: 2);
        block.to(float64);
        var parameters = block.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        Assert.Equal(["conv1.conv.weight", "conv2.conv.weight", "shortcut.conv.weight"], parameters.Keys.Order(StringComparer.Ordinal));

        var x = randn([2, 6, 10, 10, 10], dtype: float64, generator: new Generator(12)).requires_grad_(true);
        var y = block.forward(x);

        // The plain formulation: pre-activate for each convolution separately, add the shortcut.
        static Tensor PreAct(Tensor t) => nn.functional.instance_norm(t, eps: ConvNormAct.NormEps).relu();
        var xr = x.detach().requires_grad_(true);
        var a = nn.functional.conv3d(PreAct(xr), parameters["conv1.conv.weight"], strides: [2, 2, 2], padding: [1, 1, 1]);
        var main = nn.functional.conv3d(PreAct(a), parameters["conv2.conv.weight"], padding: [1, 1, 1]);
        var shortcut = nn.functional.conv3d(PreAct(xr), parameters["shortcut.conv.weight"], strides: [2, 2, 2], padding: [1, 1, 1]);
        var reference = main + shortcut;
        Assert.True((y - reference).abs().max().item<double>() < 1e-10, "outputs differ");

        var gy = randn(reference.shape, dtype: float64, generator: new Generator(13));
        Tensor[] inputs = [x, .. parameters.Values];
        Tensor[] referenceInputs = [xr, .. parameters.Values];
        var grads = autograd.grad([(y * gy).sum()], inputs);
        var referenceGrads = autograd.grad([(reference * gy).sum()], referenceInputs);
        for (var i = 0; i < grads.Count; i++)
        {
            Assert.True((grads[i] - referenceGrads[i]).abs().max().item<double>() < 1e-10, $"gradient {i} differs");
        }
    }
}
