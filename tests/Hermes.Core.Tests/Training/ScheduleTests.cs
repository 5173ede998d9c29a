using Hermes.Training;

namespace Hermes.Core.Tests.Training;

public sealed class ScheduleTests
{
    // Reference §10, base 0.002, warm-up 5 epochs, poly 0.9 over 200 epochs; values as printed in the spec.
    [Theory]
    [InlineData(0, 9.1e-8)]
    [InlineData(1, 6.7e-7)]
    [InlineData(2, 5.0e-6)]
    [InlineData(3, 3.7e-5)]
    [InlineData(4, 2.7e-4)]
    [InlineData(5, 2.0e-3)]
    [InlineData(6, 1.95e-3)]
    [InlineData(100, 1.07e-3)]
    [InlineData(199, 1.7e-5)]
    public void HermesScheduleMatchesTheReferenceValues(int epoch, double printed)
    {
        var schedule = new WarmupDecaySchedule();
        var lr = schedule.LearningRate((long)epoch * 400);
        // The spec prints 2–3 significant digits: accept half a unit of the last printed digit.
        var digits = printed.ToString("0.###e0", System.Globalization.CultureInfo.InvariantCulture).Split('e')[0].TrimStart('0', '.').Replace(".", string.Empty, StringComparison.Ordinal).Length;
        var tolerance = 0.5 * Math.Pow(10, Math.Floor(Math.Log10(printed)) - (digits - 1));
        Assert.True(Math.Abs(lr - printed) <= tolerance, $"epoch {epoch}: lr {lr:R}, spec {printed} ± {tolerance}");
    }

    [Fact]
    public void PerEpochScheduleIsConstantWithinAnEpochAndFollowsTheFormula()
    {
        var schedule = new WarmupDecaySchedule();
        Assert.Equal(schedule.LearningRate(400 * 7), schedule.LearningRate((400 * 7) + 399));
        Assert.Equal(0.002 * Math.Pow(2.718, 10 * ((2 / 5.0) - 1)), schedule.LearningRate(800), 15);
        Assert.Equal(0.002 * Math.Pow(1 - (150 / 200.0), 0.9), schedule.LearningRate(150 * 400), 15);
        Assert.Equal(0.002, schedule.LearningRate(5 * 400));
    }

    [Fact]
    public void PerStepScheduleUsesTheFractionalEpoch()
    {
        var schedule = new WarmupDecaySchedule(new WarmupDecayOptions { PerEpoch = false, StepsPerEpoch = 10 });
        Assert.Equal(0.002 * Math.Pow(2.718, 10 * ((2.5 / 5) - 1)), schedule.LearningRate(25), 15);
        Assert.Equal(0.002 * Math.Pow(1 - (10.3 / 200), 0.9), schedule.LearningRate(103), 15);
        Assert.True(schedule.LearningRate(24) < schedule.LearningRate(25));
    }

    [Fact]
    public void ExponentialDecayAndNoWarmup()
    {
        var exp = new WarmupDecaySchedule(new WarmupDecayOptions { Decay = LearningRateDecay.Exponential, ExponentialGamma = 0.9, StepsPerEpoch = 1 });
        Assert.Equal(0.002 * Math.Pow(0.9, 12 - 5), exp.LearningRate(12), 15);
        var poly = new WarmupDecaySchedule(new WarmupDecayOptions { WarmupEpochs = 0, StepsPerEpoch = 1 });
        Assert.Equal(0.002, poly.LearningRate(0));
        Assert.Equal(0.002 * Math.Pow(0.5, 0.9), poly.LearningRate(100), 15);
    }

    [Fact]
    public void InvalidOptionsAreRejected()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new WarmupDecaySchedule(new WarmupDecayOptions { TotalEpochs = 5, WarmupEpochs = 5 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WarmupDecaySchedule(new WarmupDecayOptions { StepsPerEpoch = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new WarmupDecaySchedule().LearningRate(-1));
    }
}
