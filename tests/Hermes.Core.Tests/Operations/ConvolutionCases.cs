using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Core.Tests.Operations;

/// <summary>Inputs and references shared by the convolution tests: seeded tensors, LibTorch's weight gradient, a relative comparison.</summary>
internal static class ConvolutionCases
{
    /// <summary>Shapes that the Winograd kernels take, each with a reason (input shape, output channels).</summary>
    public static readonly (long[] Shape, int OutChannels)[] WinogradShapes =
    [
        ([2, 24, 4, 6, 16], 8),   // batch 2, non-cubic, input channels ≡ 8 (mod 16), 8 tiles per row (256-bit lanes only)
        ([1, 8, 8, 8, 32], 24),   // output channels ≡ 8 (mod 16), 16 tiles per row (one 512-bit block)
        ([1, 20, 6, 4, 32], 36),  // input and output channels ≡ 4 (mod 16)
        ([1, 5, 2, 2, 48], 3),    // odd channel counts, a 2×2 cross-section: every tile reads the zero padding
        ([1, 3, 6, 4, 64], 7),    // 32 tiles per row: several blocks per row
        ([1, 17, 4, 2, 64], 33),  // output channels one past two 16-channel blocks
    ];

    /// <summary>An input, a weight scaled to keep the output near unit variance, and an output gradient, from seed 11.</summary>
    public static (Tensor X, Tensor W, Tensor G) Inputs(long[] shape, int outChannels, int kernel, ScalarType dtype)
    {
        var gen = new Generator(11);
        var x = randn(shape, dtype: dtype, generator: gen);
        var w = randn([outChannels, shape[1], kernel, kernel, kernel], dtype: dtype, generator: gen) / Math.Sqrt(shape[1] * kernel * kernel * kernel);
        var g = randn([shape[0], outChannels, shape[2], shape[3], shape[4]], dtype: dtype, generator: gen);
        return (x, w, g);
    }

    /// <summary>The weight gradient of LibTorch's own <c>conv3d</c> with padding k / 2.</summary>
    public static Tensor LibTorchWeightGradient(Tensor x, Tensor w, Tensor g, int kernel)
    {
        var wr = w.detach().clone().requires_grad_(true);
        var p = kernel / 2;
        var y = nn.functional.conv3d(x.detach(), wr, padding: [p, p, p]);
        return autograd.grad([y], [wr], [g])[0];
    }

    /// <summary>Asserts max |actual − expected| ≤ relative · max |expected|, naming <paramref name="what"/> and both numbers.</summary>
    public static void AssertClose(Tensor expected, Tensor actual, double relative, string what)
    {
        var scale = expected.to(float64).abs().max().item<double>();
        var error = (actual.to(float64) - expected.to(float64)).abs().max().item<double>();
        Assert.True(error <= relative * Math.Max(scale, 1e-30), $"{what}: max |Δ| = {error:G3} (scale {scale:G3}, tolerance {relative:G2} relative)");
    }
}
