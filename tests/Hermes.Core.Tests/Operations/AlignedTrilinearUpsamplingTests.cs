using Hermes.Operations;
using Hermes.Runtime;
using Hermes.Testing;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Core.Tests.Operations;

/// <summary>
/// The separable matrix-product resize equals LibTorch's <c>interpolate(trilinear, align_corners=True)</c>: to float64
/// rounding in float64, to a few float32 ulps in float32, in value and in gradient, for up-, down- and mixed resizing.
/// </summary>
public sealed class AlignedTrilinearUpsamplingTests
{
    public static TheoryData<long[], long[]> Shapes => new()
    {
        { [1, 3, 8, 8, 8], [16, 16, 16] },     // the decoder's 2×
        { [2, 4, 5, 7, 6], [13, 9, 6] },        // odd, uneven, one axis unchanged
        { [1, 2, 9, 12, 10], [4, 5, 3] },       // downsizing
        { [1, 1, 1, 4, 3], [3, 1, 5] },         // length 1 in and out
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void Float64ResizeAndGradientEqualInterpolate(long[] shape, long[] size)
    {
        HermesRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var x = randn(shape, dtype: float64, generator: new Generator(5)).requires_grad_(true);
        var reference = nn.functional.interpolate(x, size, mode: InterpolationMode.Trilinear, align_corners: true);
        var ours = AlignedTrilinearUpsampling.Resize(x, size);
        Assert.Equal(reference.shape, ours.shape);
        Assert.True((ours - reference).abs().max().item<double>() < 1e-12, "values differ");

        var weight = randn(reference.shape, dtype: float64, generator: new Generator(6));
        var gradReference = autograd.grad([(reference * weight).sum()], [x])[0];
        var gradOurs = autograd.grad([(ours * weight).sum()], [x])[0];
        Assert.True((gradOurs - gradReference).abs().max().item<double>() < 1e-12, "gradients differ");
    }

    [Fact]
    public void Float32DecoderUpsamplingAgreesWithInterpolateToAFewUlps()
    {
        HermesRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var x = randn([1, 16, 16, 16, 16], generator: new Generator(7));
        long[] size = [32, 32, 32];
        var reference = nn.functional.interpolate(x, size, mode: InterpolationMode.Trilinear, align_corners: true);
        var ours = AlignedTrilinearUpsampling.Resize(x, size);
        var exact = nn.functional.interpolate(x.to(float64), size, mode: InterpolationMode.Trilinear, align_corners: true);
        var scale = exact.abs().max().item<double>();
        var oursError = (ours.to(float64) - exact).abs().max().item<double>();
        var referenceError = (reference.to(float64) - exact).abs().max().item<double>();
        Assert.True(oursError < 1e-6 * scale, $"max |ours − float64| = {oursError:G3} (scale {scale:G3})");
        Assert.True(oursError <= 2 * referenceError + 1e-7, $"ours {oursError:G3} vs LibTorch float32 {referenceError:G3} against float64");
    }

    [Fact]
    public void IdentitySizeReturnsACopyAndBadInputIsRejected()
    {
        HermesRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var x = randn([1, 2, 3, 4, 5]);
        var same = AlignedTrilinearUpsampling.Resize(x, [3, 4, 5]);
        Assert.True(TensorEquality.Same(same, x));
        same.add_(1);
        Assert.False(TensorEquality.Same(same, x)); // a copy, not the input

        var e = Assert.Throws<ArgumentException>(() => AlignedTrilinearUpsampling.Resize(randn([2, 3, 4, 5]), [4, 4, 4]));
        Assert.Contains("[B, C, D, H, W]", e.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => AlignedTrilinearUpsampling.Resize(x, [4, 0, 4]));
        Assert.Throws<ArgumentException>(() => AlignedTrilinearUpsampling.Resize(zeros([1, 1, 2, 2, 2], int64), [4, 4, 4]));
    }
}
