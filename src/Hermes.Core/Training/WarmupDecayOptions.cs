namespace Hermes.Training;

/// <summary>
/// Options of <see cref="WarmupDecaySchedule"/>; the defaults are Hermes-R's (reference §10: base 0.002, 5 warm-up
/// epochs, poly 0.9 over 200 epochs, set once per epoch).
/// </summary>
public sealed record WarmupDecayOptions
{
    /// <summary>The reference's peak learning rate; the one declaration of this default (LAMB's and the DI options' too).</summary>
    internal const double ReferenceLearningRate = 0.002;

    /// <summary>The reference's warm-up epochs (one declaration, as <see cref="ReferenceLearningRate"/>).</summary>
    internal const double ReferenceWarmupEpochs = 5;

    /// <summary>The peak learning rate, reached at the end of the warm-up.</summary>
    public double BaseLearningRate { get; init; } = ReferenceLearningRate;

    /// <summary>Warm-up epochs W (0: no warm-up). During e ≤ W, lr = base·2.718^(10·(e/W − 1)).</summary>
    public double WarmupEpochs { get; init; } = ReferenceWarmupEpochs;

    /// <summary>Total epochs E of the run (the poly decay reaches 0 at e = E).</summary>
    public int TotalEpochs { get; init; } = TrainerOptions.ReferenceEpochs;

    /// <summary>Optimiser steps per epoch (Hermes: 401 iterations; see reference §10).</summary>
    public int StepsPerEpoch { get; init; } = TrainerOptions.ReferenceStepsPerEpoch;

    /// <summary>The decay after the warm-up.</summary>
    public LearningRateDecay Decay { get; init; } = LearningRateDecay.Poly;

    /// <summary>Exponent of the poly decay.</summary>
    public double PolyPower { get; init; } = 0.9;

    /// <summary>Factor per epoch of the exponential decay.</summary>
    public double ExponentialGamma { get; init; } = 0.99;

    /// <summary>
    /// <see langword="true"/> to set the rate once per epoch (integer e, as the reference); <see langword="false"/> to
    /// evaluate the same formula at the fractional epoch step / <see cref="StepsPerEpoch"/> on every step.
    /// </summary>
    public bool PerEpoch { get; init; } = true;

    /// <summary>Checks every value.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range; the message names it.</exception>
    public void Validate()
    {
        OptionCheck.Require(nameof(WarmupDecayOptions), double.IsFinite(BaseLearningRate) && BaseLearningRate > 0, nameof(BaseLearningRate), BaseLearningRate, "a finite value > 0");
        OptionCheck.Require(nameof(WarmupDecayOptions), double.IsFinite(WarmupEpochs) && WarmupEpochs >= 0, nameof(WarmupEpochs), WarmupEpochs, "a finite value ≥ 0");
        OptionCheck.Require(nameof(WarmupDecayOptions), TotalEpochs >= 1 && TotalEpochs > WarmupEpochs, nameof(TotalEpochs), TotalEpochs, "≥ 1 and greater than WarmupEpochs");
        OptionCheck.Require(nameof(WarmupDecayOptions), StepsPerEpoch >= 1, nameof(StepsPerEpoch), StepsPerEpoch, "≥ 1");
        OptionCheck.Require(nameof(WarmupDecayOptions), Enum.IsDefined(Decay), nameof(Decay), (double)Decay, "a defined LearningRateDecay");
        OptionCheck.Require(nameof(WarmupDecayOptions), double.IsFinite(PolyPower) && PolyPower > 0, nameof(PolyPower), PolyPower, "a finite value > 0");
        OptionCheck.Require(nameof(WarmupDecayOptions), ExponentialGamma is > 0 and <= 1, nameof(ExponentialGamma), ExponentialGamma, "in (0, 1]");
    }
}
