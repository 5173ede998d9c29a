namespace Hermes.DependencyInjection;

/// <summary>Inference settings of <see cref="HermesOptions"/> (section <c>Hermes:Inference</c>).</summary>
public sealed class HermesInferenceOptions
{
    /// <summary>Overlap of neighbouring sliding windows in [0, 1).</summary>
    public double Overlap { get; set; } = 0.5;

    /// <summary>Windows per forward pass (≥ 1).</summary>
    public int WindowsPerBatch { get; set; } = 1;

    /// <summary>Probability threshold of a foreground voxel in [0, 1).</summary>
    public double Threshold { get; set; } = 0.5;

    /// <summary>Whether to average over mirrored windows (test-time augmentation along the three axes).</summary>
    public bool Mirror { get; set; }
}
