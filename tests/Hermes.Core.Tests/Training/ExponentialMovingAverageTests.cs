using Hermes.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Core.Tests.Training;

public sealed class ExponentialMovingAverageTests
{
    [Fact]
    public void FollowsTheWarmStartedDecay()
    {
        using var model = nn.Linear(3, 2);
        using var average = nn.Linear(3, 2);
        var ema = new ExponentialMovingAverage(model, average);
        Assert.Equal(0.0, ema.DecayAt(0));
        Assert.Equal(0.5, ema.DecayAt(1));
        Assert.Equal(0.99, ema.DecayAt(100));
        Assert.Equal(0.99, ema.DecayAt(5000));

        ema.Update(0); // copies outright
        Assert.True(model.weight!.eq(average.weight!).all().item<bool>());

        using var before = average.weight!.detach().clone();
        using (no_grad())
        {
            model.weight!.add_(1.0);
        }

        ema.Update(1); // a = 0.5
        using var expected = before.mul(0.5).add(model.weight!.detach().mul(0.5));
        Assert.True(expected.allclose(average.weight!, rtol: 0, atol: 1e-7));

        using var before2 = average.weight!.detach().clone();
        ema.Update(300); // a = 0.99
        using var expected2 = before2.mul(0.99).add(model.weight!.detach().mul(0.01));
        Assert.True(expected2.allclose(average.weight!, rtol: 0, atol: 1e-7));
        Assert.False(average.weight!.requires_grad);
    }

    [Fact]
    public void FrozenParametersAreCopiedBitForBit()
    {
        manual_seed(11);
        using var model = nn.Linear(256, 64);
        using var average = nn.Linear(256, 64);
        model.weight!.requires_grad = false; // frozen by fine-tuning
        var ema = new ExponentialMovingAverage(model, average);
        using var frozen = model.weight!.detach().clone();
        using var naive = frozen.clone();
        for (var step = 0L; step < 20; step++)
        {
            using (no_grad())
            {
                model.bias!.add_(0.5); // the trainable parameter moves
            }

            ema.Update(step);
            var a = ema.DecayAt(step);
            if (a > 0)
            {
                naive.mul_(a).add_(frozen, alpha: 1 - a); // what averaging a constant gives
            }
        }

        Assert.True(average.weight!.allclose(frozen, 0, 0), "the frozen parameter's average must equal it bit for bit");
        Assert.False(naive.allclose(frozen, 0, 0), "averaging the constant in float32 drifts (the copy is needed)");
        Assert.False(average.bias!.allclose(model.bias!, 0, 0), "the trainable parameter is averaged, not copied");
    }

    [Fact]
    public void MismatchedModelsAreRejected()
    {
        using var model = nn.Linear(3, 2);
        using var other = nn.Linear(3, 4);
        var e = Assert.Throws<ArgumentException>(() => new ExponentialMovingAverage(model, other));
        Assert.Contains("weight", e.Message, StringComparison.Ordinal);
    }
}
