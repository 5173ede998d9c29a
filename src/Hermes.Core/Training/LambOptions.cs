namespace Hermes.Training;

/// <summary>
/// Hyper-parameters of <see cref="LambOptimizer"/>; the defaults are Hermes' (reference §10: apex FusedLAMB, lr 0.002,
/// betas (0.9, 0.999), eps 1e-5, weight decay 1e-5, global gradient-norm clipping at 1.0).
/// </summary>
public sealed record LambOptions
{
    /// <summary>Initial learning rate (a schedule usually overrides it every epoch or step).</summary>
    public double LearningRate { get; init; } = WarmupDecayOptions.ReferenceLearningRate;

    /// <summary>Decay of the first moment β1.</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>Decay of the second moment β2.</summary>
    public double Beta2 { get; init; } = 0.999;

    /// <summary>Added to √v̂ in the denominator.</summary>
    public double Epsilon { get; init; } = 1e-5;

    /// <summary>Decoupled weight decay (added to the update as <c>wd·p</c> before the trust ratio).</summary>
    public double WeightDecay { get; init; } = 1e-5;

    /// <summary>
    /// Global L2 norm above which all gradients are scaled by <c>MaxGradNorm / ‖g‖</c> before the moments are updated;
    /// <see cref="double.PositiveInfinity"/> disables clipping.
    /// </summary>
    public double MaxGradNorm { get; init; } = 1.0;

    /// <summary>
    /// Apply the per-tensor trust ratio even when <see cref="WeightDecay"/> is 0 (NVLAMB). Apex's default (false) uses
    /// a ratio of 1 for zero weight decay.
    /// </summary>
    public bool AlwaysAdapt { get; init; }

    /// <summary>Checks every value.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range; the message names it.</exception>
    public void Validate() =>
        OptionCheck.RequireAdamFamily(nameof(LambOptions), LearningRate, Beta1, Beta2, Epsilon, WeightDecay, MaxGradNorm);
}
