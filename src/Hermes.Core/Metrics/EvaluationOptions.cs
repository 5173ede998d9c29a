using System.Globalization;

namespace Hermes.Metrics;

/// <summary>Options of a <see cref="SegmentationEvaluator"/>.</summary>
public sealed class EvaluationOptions
{
    /// <summary>The metrics to compute. Default: Dice, HD95 and NSD.</summary>
    public SegmentationMetrics Metrics { get; set; } = SegmentationMetrics.Dice | SegmentationMetrics.Hausdorff | SegmentationMetrics.NormalizedSurfaceDice;

    /// <summary>NSD tolerance τ in mm. Default 2 mm.</summary>
    public double ToleranceMm { get; set; } = 2.0;

    /// <summary>Hausdorff percentile in (0, 100]. Default 95.</summary>
    public double HausdorffPercentile { get; set; } = 95.0;

    /// <summary>The metric name of the Hausdorff distance, e.g. <c>hd95</c> (<c>hd</c> at 100).</summary>
    public string HausdorffMetricName => HausdorffPercentile == 100 ? "hd" : "hd" + HausdorffPercentile.ToString("0.##", CultureInfo.InvariantCulture);

    /// <summary>The metric name of the NSD, e.g. <c>nsd@2mm</c>.</summary>
    public string SurfaceDiceMetricName => "nsd@" + ToleranceMm.ToString("0.###", CultureInfo.InvariantCulture) + "mm";

    /// <summary>Throws when an option is out of range.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option names its invalid value.</exception>
    public void Validate()
    {
        if (!(ToleranceMm >= 0) || double.IsPositiveInfinity(ToleranceMm))
        {
            throw new ArgumentOutOfRangeException(nameof(ToleranceMm), ToleranceMm, "EvaluationOptions.ToleranceMm must be a finite number of mm ≥ 0.");
        }

        if (!(HausdorffPercentile > 0 && HausdorffPercentile <= 100))
        {
            throw new ArgumentOutOfRangeException(nameof(HausdorffPercentile), HausdorffPercentile, "EvaluationOptions.HausdorffPercentile must lie in (0, 100].");
        }
    }
}
