namespace Hermes.Training;

/// <summary>Hyper-parameters of <see cref="AdamWOptimizer"/> (PyTorch's AdamW plus optional global-norm clipping).</summary>
public sealed record AdamWOptions
{
    /// <summary>Initial learning rate (a schedule usually overrides it).</summary>
    public double LearningRate { get; init; } = 1e-3;

    /// <summary>Decay of the first moment β1.</summary>
    public double Beta1 { get; init; } = 0.9;

    /// <summary>Decay of the second moment β2.</summary>
    public double Beta2 { get; init; } = 0.999;

    /// <summary>Added to √v̂ in the denominator.</summary>
    public double Epsilon { get; init; } = 1e-8;

    /// <summary>Decoupled weight decay (p ← p − lr·wd·p).</summary>
    public double WeightDecay { get; init; } = 0.01;

    /// <summary>Global gradient-norm limit applied before each step (<see cref="double.PositiveInfinity"/>: none).</summary>
    public double MaxGradNorm { get; init; } = double.PositiveInfinity;

    /// <summary>Checks every value.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range; the message names it.</exception>
    public void Validate() =>
        OptionCheck.RequireAdamFamily(nameof(AdamWOptions), LearningRate, Beta1, Beta2, Epsilon, WeightDecay, MaxGradNorm);
}
