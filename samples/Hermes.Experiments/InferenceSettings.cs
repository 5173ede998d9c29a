namespace Hermes.Experiments;

/// <summary>
/// How validation cases are segmented and scored. Prediction is <c>VolumePredictor</c> with a label map output at the
/// case's original geometry, no mirroring and no postprocessing — exactly <c>hermes predict</c> with its defaults and
/// <c>--overlap</c> set to <see cref="Overlap"/> — and scoring is <c>hermes evaluate</c>'s Dice, HD95 and NSD.
/// </summary>
public sealed record InferenceSettings
{
    /// <summary>Sliding-window overlap (the <c>hermes predict</c> default is 0.5).</summary>
    public double Overlap { get; init; } = 0.5;

    /// <summary>NSD tolerance in mm (the <c>hermes evaluate</c> default is 2).</summary>
    public double ToleranceMm { get; init; } = 2.0;
}
