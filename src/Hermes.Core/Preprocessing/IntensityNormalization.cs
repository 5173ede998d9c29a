using System.Globalization;
using System.Text.Json.Nodes;

namespace Hermes.Preprocessing;

/// <summary>
/// The intensity normalisation one modality was trained with: optional clipping (fixed range or per-volume
/// percentiles), then an optional z-score over the whole volume with its own mean and standard deviation.
/// </summary>
/// <param name="Clip">How to clip.</param>
/// <param name="Lower">Lower clip bound: a value for <see cref="IntensityClipMode.FixedRange"/>, a percentile (0–100) for <see cref="IntensityClipMode.Percentiles"/>; ignored for <see cref="IntensityClipMode.None"/>.</param>
/// <param name="Upper">Upper clip bound, same units as <paramref name="Lower"/>.</param>
/// <param name="ZScore">Whether the clipped volume is z-scored with its own mean and standard deviation.</param>
public sealed record IntensityNormalization(IntensityClipMode Clip, double Lower, double Upper, bool ZScore = true)
{
    /// <summary>CT as in the reference: clip to [−991, 500] HU, then z-score.</summary>
    public static IntensityNormalization Ct { get; } = new(IntensityClipMode.FixedRange, -991, 500);

    /// <summary>MR and PET as in the reference: clip to the volume's 2nd and 98th percentiles, then z-score.</summary>
    public static IntensityNormalization PercentileClip { get; } = new(IntensityClipMode.Percentiles, 2, 98);

    /// <summary>Checks the bounds; returns a problem description or <see langword="null"/>.</summary>
    /// <returns>The problem, or <see langword="null"/> when valid.</returns>
    public string? Validate()
    {
        if (Clip == IntensityClipMode.None)
        {
            return null;
        }

        if (!double.IsFinite(Lower) || !double.IsFinite(Upper) || Lower >= Upper)
        {
            return $"finite bounds with lower < upper (got {Lower.ToString(CultureInfo.InvariantCulture)}, {Upper.ToString(CultureInfo.InvariantCulture)})";
        }

        return Clip == IntensityClipMode.Percentiles && (Lower < 0 || Upper > 100)
            ? $"percentiles within [0, 100] (got {Lower.ToString(CultureInfo.InvariantCulture)}, {Upper.ToString(CultureInfo.InvariantCulture)})"
            : null;
    }

    internal JsonObject ToJson()
    {
        var o = new JsonObject { ["clip"] = ClipName(Clip) };
        if (Clip != IntensityClipMode.None)
        {
            o["lower"] = Lower;
            o["upper"] = Upper;
        }

        o["zscore"] = ZScore;
        return o;
    }

    internal static string ClipName(IntensityClipMode mode) => mode switch
    {
        IntensityClipMode.FixedRange => "fixed",
        IntensityClipMode.Percentiles => "percentiles",
        _ => "none",
    };

    internal static IntensityClipMode? ParseClip(string? name) => name switch
    {
        "fixed" => IntensityClipMode.FixedRange,
        "percentiles" => IntensityClipMode.Percentiles,
        "none" => IntensityClipMode.None,
        _ => null,
    };
}
