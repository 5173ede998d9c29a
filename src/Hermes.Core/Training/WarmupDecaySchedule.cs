using System.Globalization;

namespace Hermes.Training;

/// <summary>
/// Hermes' learning-rate schedule (reference §10): exponential warm-up lr = base·2.718^(10·(e/W − 1)) for e ≤ W, then
/// poly base·(1 − e/E)^p, exponential base·γ^(e−W) or constant. With the defaults it gives 9.1e-8, 6.7e-7, 5.0e-6,
/// 3.7e-5, 2.7e-4, 2.0e-3 for epochs 0–5, then 1.95e-3 at epoch 6 and 1.7e-5 at epoch 199.
/// </summary>
/// <remarks>The reference uses the literal 2.718, not e; so does this schedule.</remarks>
public sealed class WarmupDecaySchedule : ILearningRateSchedule
{
    /// <summary>The base of the warm-up exponential, as in the reference.</summary>
    public const double WarmupBase = 2.718;

    /// <summary>Creates the schedule.</summary>
    /// <param name="options">Options; <see langword="null"/> for Hermes-R's.</param>
    public WarmupDecaySchedule(WarmupDecayOptions? options = null)
    {
        Options = options ?? new WarmupDecayOptions();
        Options.Validate();
    }

    /// <summary>The options.</summary>
    public WarmupDecayOptions Options { get; }

    /// <inheritdoc/>
    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"warmup-decay(base={Options.BaseLearningRate:R}, warmup={Options.WarmupEpochs:R}, epochs={Options.TotalEpochs}, steps_per_epoch={Options.StepsPerEpoch}, decay={Options.Decay}, power={Options.PolyPower:R}, gamma={Options.ExponentialGamma:R}, per_epoch={Options.PerEpoch})");

    /// <inheritdoc/>
    public double LearningRate(long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        var epoch = Options.PerEpoch ? step / Options.StepsPerEpoch : step / (double)Options.StepsPerEpoch;
        return AtEpoch(epoch);
    }

    /// <summary>The learning rate at a (possibly fractional) epoch <paramref name="epoch"/> ≥ 0.</summary>
    /// <param name="epoch">0-based epoch.</param>
    public double AtEpoch(double epoch)
    {
        if (!(epoch >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(epoch), epoch, "The epoch must be ≥ 0.");
        }

        var o = Options;
        if (o.WarmupEpochs > 0 && epoch <= o.WarmupEpochs)
        {
            return o.BaseLearningRate * Math.Pow(WarmupBase, 10 * ((epoch / o.WarmupEpochs) - 1));
        }

        return o.Decay switch
        {
            LearningRateDecay.Poly => o.BaseLearningRate * Math.Pow(Math.Max(0, 1 - (epoch / o.TotalEpochs)), o.PolyPower),
            LearningRateDecay.Exponential => o.BaseLearningRate * Math.Pow(o.ExponentialGamma, epoch - o.WarmupEpochs),
            _ => o.BaseLearningRate,
        };
    }
}
