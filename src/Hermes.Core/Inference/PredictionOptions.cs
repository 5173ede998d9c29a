namespace Hermes.Inference;

/// <summary>
/// How a <see cref="VolumePredictor"/> runs: sliding window (window size from the sidecar's patch size unless set),
/// test-time mirroring, decision threshold, output form and postprocessing per task.
/// </summary>
public sealed class PredictionOptions
{
    /// <summary>
    /// Sliding-window settings. <see cref="SlidingWindowOptions.WindowSize"/> is replaced by the sidecar's patch size unless
    /// <see cref="UseSidecarPatchSize"/> is <see langword="false"/>; <see cref="SlidingWindowOptions.MirrorAxes"/> is replaced
    /// by all three axes when <see cref="MirrorTta"/> is set; <see cref="SlidingWindowOptions.ApplySigmoid"/> must stay
    /// <see langword="true"/> (the model returns logits).
    /// </summary>
    public SlidingWindowOptions Window { get; set; } = new();

    /// <summary>Take the window size from <see cref="Checkpoints.SidecarPreprocessing.PatchSize"/> (default <see langword="true"/>).</summary>
    public bool UseSidecarPatchSize { get; set; } = true;

    /// <summary>Average over all 8 mirrorings of each window (x, y, z flips). Off by default: 8× the compute.</summary>
    public bool MirrorTta { get; set; }

    /// <summary>A voxel is foreground for a task when its probability is strictly above this (default 0.5, as the reference).</summary>
    public double Threshold { get; set; } = 0.5;

    /// <summary>
    /// Also return (and, in <see cref="VolumePredictor.PredictToFolder"/>, write as <see cref="ProbabilityFormat"/> says) each
    /// task's sigmoid probability map on the input's grid, before thresholding and postprocessing: for ensembling and
    /// uncertainty review. Off by default (a float map per task).
    /// </summary>
    public bool KeepProbabilities { get; set; }

    /// <summary>The file format of kept probability maps (<see cref="VolumePredictor.PredictToFolder"/> only).</summary>
    public ProbabilityFormat ProbabilityFormat { get; set; } = ProbabilityFormat.NiftiFloat32;

    /// <summary>NaN and ±∞ voxels in the input: rejected (default) or replaced with the smallest finite intensity.</summary>
    public NonFiniteVoxelHandling NonFiniteVoxels { get; set; } = NonFiniteVoxelHandling.Reject;

    /// <summary>Binary masks per task (default) or one label map.</summary>
    public PredictionOutputKind Output { get; set; } = PredictionOutputKind.BinaryMasks;

    /// <summary>How a label map resolves voxels claimed by several tasks (after each task's postprocessing).</summary>
    public LabelOverlapRule OverlapRule { get; set; } = LabelOverlapRule.HighestProbability;

    /// <summary>Postprocessing applied to every task's mask in the original grid (off by default).</summary>
    public PostprocessingOptions Postprocessing { get; set; } = new();

    /// <summary>Per-task postprocessing by task name (case-insensitive), overriding <see cref="Postprocessing"/>.</summary>
    public IReadOnlyDictionary<string, PostprocessingOptions> TaskPostprocessing { get; set; } = new Dictionary<string, PostprocessingOptions>();

    /// <summary>Throws when an option is out of range; the message names it.</summary>
    public void Validate()
    {
        ArgumentNullException.ThrowIfNull(Window);
        Window.Validate();
        if (!Window.ApplySigmoid)
        {
            throw new ArgumentException("PredictionOptions.Window.ApplySigmoid must be true: the predictor thresholds sigmoid probabilities.", nameof(Window));
        }

        if (!(Threshold >= 0 && Threshold < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Threshold), Threshold, "PredictionOptions.Threshold must lie in [0, 1).");
        }

        if (!Enum.IsDefined(Output))
        {
            throw new ArgumentOutOfRangeException(nameof(Output), Output, "PredictionOptions.Output is not a known output kind.");
        }

        if (!Enum.IsDefined(ProbabilityFormat))
        {
            throw new ArgumentOutOfRangeException(nameof(ProbabilityFormat), ProbabilityFormat, "PredictionOptions.ProbabilityFormat is not a known format.");
        }

        if (!Enum.IsDefined(NonFiniteVoxels))
        {
            throw new ArgumentOutOfRangeException(nameof(NonFiniteVoxels), NonFiniteVoxels, "PredictionOptions.NonFiniteVoxels is not a known handling.");
        }

        if (!Enum.IsDefined(OverlapRule))
        {
            throw new ArgumentOutOfRangeException(nameof(OverlapRule), OverlapRule, "PredictionOptions.OverlapRule is not a known rule.");
        }

        ArgumentNullException.ThrowIfNull(Postprocessing);
        Postprocessing.Validate();
        ArgumentNullException.ThrowIfNull(TaskPostprocessing);
        foreach (var p in TaskPostprocessing.Values)
        {
            p.Validate();
        }
    }

    /// <summary>The postprocessing for one task.</summary>
    /// <param name="task">The task name.</param>
    /// <returns>The task's own options, or <see cref="Postprocessing"/>.</returns>
    public PostprocessingOptions PostprocessingFor(string task) =>
        TaskPostprocessing.FirstOrDefault(kv => string.Equals(kv.Key, task, StringComparison.OrdinalIgnoreCase)).Value ?? Postprocessing;
}
