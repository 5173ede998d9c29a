using System.Globalization;

namespace Hermes.Training;

/// <summary>The one range check of the training options' <c>Validate()</c> methods: the message names type, option, value and what is allowed.</summary>
internal static class OptionCheck
{
    /// <summary>Throws when <paramref name="ok"/> is false.</summary>
    /// <param name="owner">The options type, e.g. <c>LambOptions</c>.</param>
    /// <param name="ok">Whether the value is allowed.</param>
    /// <param name="name">The option.</param>
    /// <param name="value">Its value.</param>
    /// <param name="expected">What is allowed, e.g. <c>in [0, 1)</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException">The value is not allowed.</exception>
    public static void Require(string owner, bool ok, string name, double value, string expected)
    {
        if (!ok)
        {
            throw new ArgumentOutOfRangeException(name, value, string.Create(CultureInfo.InvariantCulture, $"{owner}.{name} = {value} must be {expected}."));
        }
    }

    /// <summary>
    /// The checks the Adam family's hyper-parameters share (<see cref="AdamWOptions"/>, <see cref="LambOptions"/>):
    /// learning rate finite ≥ 0, β1 and β2 in [0, 1), ε finite &gt; 0, weight decay finite ≥ 0, gradient-norm limit &gt; 0 or +∞.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is not allowed; the message names it.</exception>
    public static void RequireAdamFamily(string owner, double learningRate, double beta1, double beta2, double epsilon, double weightDecay, double maxGradNorm)
    {
        Require(owner, double.IsFinite(learningRate) && learningRate >= 0, "LearningRate", learningRate, "a finite value ≥ 0");
        Require(owner, beta1 is >= 0 and < 1, "Beta1", beta1, "in [0, 1)");
        Require(owner, beta2 is >= 0 and < 1, "Beta2", beta2, "in [0, 1)");
        Require(owner, double.IsFinite(epsilon) && epsilon > 0, "Epsilon", epsilon, "a finite value > 0");
        Require(owner, double.IsFinite(weightDecay) && weightDecay >= 0, "WeightDecay", weightDecay, "a finite value ≥ 0");
        Require(owner, maxGradNorm > 0 && !double.IsNaN(maxGradNorm), "MaxGradNorm", maxGradNorm, "> 0 (or +∞ for no clipping)");
    }
}
