namespace Hermes.Inference;

/// <summary>Options of a <see cref="SlidingWindowInferer"/>. Defaults: 128³ windows, overlap 0.5, Gaussian σ = 1/8 window, one window per batch, no mirroring.</summary>
public sealed class SlidingWindowOptions
{
    /// <summary>Window size (d, h, w) in voxels. Default 128³ (the reference).</summary>
    public (int Depth, int Height, int Width) WindowSize { get; set; } = (128, 128, 128);

    /// <summary>Fraction of a window shared with its neighbour along each axis, in [0, 1). Default 0.5 (the reference).</summary>
    public double Overlap { get; set; } = 0.5;

    /// <summary>How window starts are placed. Default <see cref="WindowStartPolicy.Even"/>; <see cref="WindowStartPolicy.Reference"/> with <see cref="WindowWeighting.Uniform"/> reproduces the reference's stitching.</summary>
    public WindowStartPolicy StartPolicy { get; set; } = WindowStartPolicy.Even;

    /// <summary>Windows passed to the model per call. Default 1.</summary>
    public int WindowsPerBatch { get; set; } = 1;

    /// <summary>How overlapping windows are weighted. Default <see cref="WindowWeighting.Gaussian"/>.</summary>
    public WindowWeighting Weighting { get; set; } = WindowWeighting.Gaussian;

    /// <summary>Gaussian σ as a fraction of the window size on each axis. Default 1/8.</summary>
    public double GaussianSigmaScale { get; set; } = 0.125;

    /// <summary>
    /// Spatial axes (0 = z, 1 = y, 2 = x) for mirroring test-time augmentation: every subset of these axes is flipped,
    /// predicted, flipped back, and the probabilities are averaged (2^k model calls per window). Default none.
    /// </summary>
    public IReadOnlyList<int> MirrorAxes { get; set; } = [];

    /// <summary>Apply a sigmoid to the model output (logits → probabilities). Default <see langword="true"/>; set <see langword="false"/> when the predictor already returns probabilities.</summary>
    public bool ApplySigmoid { get; set; } = true;

    /// <summary>Value used to pad a volume that is smaller than the window (padding at the end of each axis). Default 0.</summary>
    public double PadValue { get; set; }

    /// <summary>Device the windows are sent to before the model call; <see langword="null"/> = the input's device.</summary>
    public TorchSharp.torch.Device? WindowDevice { get; set; }

    /// <summary>Device of the stitched output and its accumulators; <see langword="null"/> = the input's device.</summary>
    public TorchSharp.torch.Device? OutputDevice { get; set; }

    /// <summary>Throws when an option is out of range; the message names the option and its value.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is invalid.</exception>
    public void Validate()
    {
        var (d, h, w) = WindowSize;
        if (d <= 0 || h <= 0 || w <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(WindowSize), WindowSize, $"SlidingWindowOptions.WindowSize must be positive on every axis; got ({d}, {h}, {w}).");
        }

        if (!(Overlap >= 0 && Overlap < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(Overlap), Overlap, "SlidingWindowOptions.Overlap must lie in [0, 1).");
        }

        if (WindowsPerBatch <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(WindowsPerBatch), WindowsPerBatch, "SlidingWindowOptions.WindowsPerBatch must be at least 1.");
        }

        if (!(GaussianSigmaScale > 0) || double.IsInfinity(GaussianSigmaScale))
        {
            throw new ArgumentOutOfRangeException(nameof(GaussianSigmaScale), GaussianSigmaScale, "SlidingWindowOptions.GaussianSigmaScale must be a finite positive number.");
        }

        if (!Enum.IsDefined(StartPolicy))
        {
            throw new ArgumentOutOfRangeException(nameof(StartPolicy), StartPolicy, "SlidingWindowOptions.StartPolicy is not a known policy.");
        }

        if (!Enum.IsDefined(Weighting))
        {
            throw new ArgumentOutOfRangeException(nameof(Weighting), Weighting, "SlidingWindowOptions.Weighting is not a known weighting.");
        }

        ArgumentNullException.ThrowIfNull(MirrorAxes);
        if (MirrorAxes.Any(a => a is < 0 or > 2) || MirrorAxes.Distinct().Count() != MirrorAxes.Count)
        {
            throw new ArgumentOutOfRangeException(nameof(MirrorAxes), string.Join(", ", MirrorAxes), "SlidingWindowOptions.MirrorAxes must be distinct spatial axes among 0 (z), 1 (y), 2 (x).");
        }

        if (!double.IsFinite(PadValue))
        {
            throw new ArgumentOutOfRangeException(nameof(PadValue), PadValue, "SlidingWindowOptions.PadValue must be finite.");
        }
    }
}
