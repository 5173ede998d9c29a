using Hermes.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hermes.Core.Tests.Training;

public sealed class GradientClippingTests
{
    [Fact]
    public void GradientsAboveTheLimitAreScaledToIt()
    {
        var a = new Parameter(zeros(2, ScalarType.Float64)) { grad = tensor(new[] { 3.0, 0.0 }, ScalarType.Float64) };
        var b = new Parameter(zeros(1, ScalarType.Float64)) { grad = tensor(new[] { 4.0 }, ScalarType.Float64) };
        var none = new Parameter(zeros(1, ScalarType.Float64)); // no gradient: skipped
        using var norm = GradientClipping.ClipGlobalNorm([a, b, none], 2.0);
        Assert.Equal(5.0, norm.item<double>(), 14);
        Assert.Equal(1.2, a.grad![0].item<double>(), 14);
        Assert.Equal(0.0, a.grad![1].item<double>());
        Assert.Equal(1.6, b.grad!.item<double>(), 14);
        Assert.Null(none.grad);
        using var after = GradientClipping.GlobalNorm([a, b, none]);
        Assert.Equal(2.0, after.item<double>(), 14);
    }

    [Fact]
    public void GradientsWithinTheLimitAreUnchanged()
    {
        var a = new Parameter(zeros(2)) { grad = tensor(new[] { 0.3f, -0.4f }) };
        using var norm = GradientClipping.ClipGlobalNorm([a], 0.5);
        Assert.Equal(0.5, norm.item<float>(), 6);
        Assert.Equal([0.3f, -0.4f], a.grad!.data<float>().ToArray());
        Assert.Throws<ArgumentOutOfRangeException>(() => GradientClipping.ClipGlobalNorm([a], 0));
    }
}
