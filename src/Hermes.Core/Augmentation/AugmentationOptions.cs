using System.Globalization;

namespace Hermes.Augmentation;

/// <summary>
/// Data augmentation settings. Defaults follow the reference (hermes-reference.md §9.2): a spatial transform with
/// probability 0.5 (per-axis scale U(0.7, 1/0.7), six shears U(−0.1, 0.1), integer rotations −30…29° about each axis), no
/// mirroring, and six intensity transforms each applied with the dataset's own probability (see
/// <c>DatasetDeclaration.IntensityAugmentationProbability</c>).
/// </summary>
public sealed record AugmentationOptions
{
    /// <summary>Probability of the spatial (scale/rotate/shear) transform.</summary>
    public double SpatialProbability { get; init; } = 0.5;

    /// <summary>Per-axis scale range (a factor &gt; 1 zooms out: the sampling grid grows).</summary>
    public (double Min, double Max) Scale { get; init; } = (0.7, 1 / 0.7);

    /// <summary>Largest absolute rotation in degrees about each axis; angles are whole degrees in [−max, max).</summary>
    public int MaxRotationDegrees { get; init; } = 30;

    /// <summary>Largest absolute shear term (six off-diagonal terms).</summary>
    public double MaxShear { get; init; } = 0.1;

    /// <summary>Probability of mirroring along each spatial axis (reference: 0).</summary>
    public double MirrorProbability { get; init; }

    /// <summary>Multiplicative brightness range.</summary>
    public (double Min, double Max) Brightness { get; init; } = (0.7, 1.3);

    /// <summary>Standard deviation of the additive intensity shift N(0, σ).</summary>
    public double ShiftStd { get; init; } = 0.1;

    /// <summary>Gamma range (applied to the min–max normalised patch; mean and std restored).</summary>
    public (double Min, double Max) Gamma { get; init; } = (0.7, 1.5);

    /// <summary>Contrast factor range (around the mean, clipped to the original range).</summary>
    public (double Min, double Max) Contrast { get; init; } = (0.7, 1.3);

    /// <summary>Gaussian blur σ range, in voxels.</summary>
    public (double Min, double Max) BlurSigma { get; init; } = (0.5, 1.0);

    /// <summary>Largest standard deviation of the additive Gaussian noise (std ~ U(0, max)).</summary>
    public double MaxNoiseStd { get; init; } = 0.1;

    /// <summary>When set, overrides every dataset's intensity-augmentation probability.</summary>
    public double? IntensityProbabilityOverride { get; init; }

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentException">An option is out of range; the message names it and its value.</exception>
    public void Validate()
    {
        static string F(double v) => v.ToString(CultureInfo.InvariantCulture);
        void Probability(double p, string name)
        {
            if (!(p is >= 0 and <= 1))
            {
                throw new ArgumentException($"{name} must be within [0, 1]; got {F(p)}.", name);
            }
        }

        void RangeOf((double Min, double Max) r, string name, bool positive)
        {
            if (!double.IsFinite(r.Min) || !double.IsFinite(r.Max) || r.Min > r.Max || (positive && r.Min <= 0))
            {
                throw new ArgumentException($"{name} must be a finite range with min ≤ max{(positive ? " and min > 0" : string.Empty)}; got ({F(r.Min)}, {F(r.Max)}).", name);
            }
        }

        Probability(SpatialProbability, nameof(SpatialProbability));
        Probability(MirrorProbability, nameof(MirrorProbability));
        if (IntensityProbabilityOverride is { } o)
        {
            Probability(o, nameof(IntensityProbabilityOverride));
        }

        RangeOf(Scale, nameof(Scale), positive: true);
        RangeOf(Brightness, nameof(Brightness), positive: false);
        RangeOf(Gamma, nameof(Gamma), positive: true);
        RangeOf(Contrast, nameof(Contrast), positive: false);
        RangeOf(BlurSigma, nameof(BlurSigma), positive: true);
        if (MaxRotationDegrees is < 0 or > 180)
        {
            throw new ArgumentException($"MaxRotationDegrees must be within [0, 180]; got {MaxRotationDegrees}.", nameof(MaxRotationDegrees));
        }

        foreach (var (v, name) in new[] { (MaxShear, nameof(MaxShear)), (ShiftStd, nameof(ShiftStd)), (MaxNoiseStd, nameof(MaxNoiseStd)) })
        {
            if (!double.IsFinite(v) || v < 0)
            {
                throw new ArgumentException($"{name} must be finite and ≥ 0; got {F(v)}.", name);
            }
        }
    }
}
