namespace Hermes.Experiments;

/// <summary>How cases are preprocessed before training (and, through the model's sidecar, before inference).</summary>
public sealed record PreprocessingSettings
{
    /// <summary>Target spacing (x, y, z) in mm after re-orientation to RAS+.</summary>
    public IReadOnlyList<double> TargetSpacing { get; init; } = [1.0, 1.0, 1.0];
}
