using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Backbones.Tests;

/// <summary>
/// MedFormer's bidirectional attention has the same gradients in float32 as in float64, including with a single head,
/// where a channels-last view would reach LibTorch's float32 depthwise conv3d backward, which returns wrong input
/// gradients on this CPU (~100 % error before the layout fix).
/// </summary>
public sealed class BidirectionAttentionGradientTests
{
    [Theory]
    [InlineData(96, 32, 1, 8)]
    [InlineData(32, 32, 1, 4)]
    [InlineData(96, 64, 2, 8)]
    public void Float32GradientsMatchFloat64(int inChannels, int outChannels, int heads, int size)
    {
        manual_seed(1);
        using var attn = new BidirectionAttention(inChannels, outChannels, outChannels, heads, outChannels / heads);
        using var scope = NewDisposeScope();
        var x = randn([2, inChannels, size, size, size], ScalarType.Float64);
        var m = randn([2, 22, outChannels], ScalarType.Float64);
        var gf = randn([2, outChannels, size, size, size], ScalarType.Float64);
        var gm = randn([2, 22, outChannels], ScalarType.Float64);
        var results = new List<Dictionary<string, Tensor>>();
        foreach (var dt in new[] { ScalarType.Float64, ScalarType.Float32 })
        {
            attn.to(dt);
            attn.zero_grad();
            var xi = x.to_type(dt).detach().clone().requires_grad_();
            var mi = m.to_type(dt).detach().clone().requires_grad_();
            var (f, mm) = attn.forward(xi, mi);
            f.mul(gf.to_type(dt)).sum().add(mm.mul(gm.to_type(dt)).sum()).backward();
            var grads = attn.named_parameters().ToDictionary(p => p.name, p => p.parameter.grad!.to_type(ScalarType.Float64).clone());
            grads["input features"] = xi.grad!.to_type(ScalarType.Float64);
            grads["input map"] = mi.grad!.to_type(ScalarType.Float64);
            results.Add(grads);
        }

        foreach (var (name, reference) in results[0])
        {
            var relative = results[1][name].sub(reference).abs().max().item<double>() / reference.abs().max().item<double>();
            Assert.True(relative < 1e-5, $"{name}: float32 gradient differs from float64 by {relative:E2} (relative to its max).");
        }
    }
}
