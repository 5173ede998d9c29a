namespace Hermes.Training;

/// <summary>How the learning rate decays after the warm-up.</summary>
public enum LearningRateDecay
{
    /// <summary>lr = base·(1 − e/E)^power (Hermes: power 0.9).</summary>
    Poly,

    /// <summary>lr = base·γ^(e − warm-up epochs).</summary>
    Exponential,

    /// <summary>lr = base after the warm-up.</summary>
    Constant,
}
