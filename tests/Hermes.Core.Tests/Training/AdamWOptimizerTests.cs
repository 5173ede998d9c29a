using Hermes.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hermes.Core.Tests.Training;

public sealed class AdamWOptimizerTests
{
    [Fact]
    public void OneStepMatchesTheAdamWFormulaWithClipping()
    {
        double[] values = [0.5, -1.5, 2.0];
        double[] g = [3.0, 0.0, -4.0]; // ‖g‖ = 5 → clipped to norm 1: g/5
        var p = new Parameter(tensor(values, ScalarType.Float64));
        var o = new AdamWOptions { LearningRate = 0.1, WeightDecay = 0.2, MaxGradNorm = 1.0 };
        using var adamw = new AdamWOptimizer([p], o);
        p.grad = tensor(g, ScalarType.Float64);
        adamw.Step();
        for (var i = 0; i < 3; i++)
        {
            var gi = g[i] / 5;
            double mHat = gi, vHat = gi * gi; // after one step the bias-corrected moments are g and g²
            var expected = (values[i] * (1 - (o.LearningRate * o.WeightDecay))) - (o.LearningRate * mHat / (Math.Sqrt(vHat) + o.Epsilon));
            Assert.Equal(expected, p[i].item<double>(), 12);
        }
    }

    [Fact]
    public void StateRoundTripContinuesExactly()
    {
        var o = new AdamWOptions { LearningRate = 0.05, WeightDecay = 0.01 };
        double[][] grads = [[0.3, -0.2], [0.1, 0.4], [-0.5, 0.2]];
        var a = new Parameter(tensor(new[] { 1.0f, -1.0f }));
        using var straight = new AdamWOptimizer([a], o);
        foreach (var g in grads)
        {
            a.grad = tensor(g, ScalarType.Float32);
            straight.Step();
        }

        var b = new Parameter(tensor(new[] { 1.0f, -1.0f }));
        using var first = new AdamWOptimizer([b], o);
        b.grad = tensor(grads[0], ScalarType.Float32);
        first.Step();
        var state = first.StateDict();

        var c = new Parameter(b.detach().clone());
        using var resumed = new AdamWOptimizer([c], o);
        resumed.LoadStateDict(state);
        for (var s = 1; s < grads.Length; s++)
        {
            c.grad = tensor(grads[s], ScalarType.Float32);
            resumed.Step();
        }

        Assert.Equal(a.data<float>().ToArray(), c.data<float>().ToArray());
        Assert.Equal(3, resumed.StepCount);
    }
}
