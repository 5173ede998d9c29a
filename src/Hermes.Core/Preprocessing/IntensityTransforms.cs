using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Preprocessing;

/// <summary>
/// Intensity transforms on tensors (any device): windowing, percentile clipping and z-scores, as MONAI's intensity
/// transforms. Statistics are computed in float64 and the result is float32. NaNs must be removed first (e.g.
/// <c>nan_to_num</c>). The setting a model was trained with is an <see cref="IntensityNormalization"/>.
/// </summary>
public static class IntensityTransforms
{
    /// <summary>CT: clip to a Hounsfield window, then z-score (with the given statistics, or those of the clipped image).</summary>
    /// <param name="image">The image.</param>
    /// <param name="low">Window low (HU), e.g. −1000 or a dataset's 0.5th foreground percentile.</param>
    /// <param name="high">Window high (HU), e.g. 1000 or a dataset's 99.5th foreground percentile.</param>
    /// <param name="mean">Dataset mean to subtract; <see langword="null"/> = of the clipped image.</param>
    /// <param name="std">Dataset standard deviation; <see langword="null"/> = of the clipped image.</param>
    /// <returns>A new float32 tensor.</returns>
    public static Tensor CtWindowZScore(Tensor image, double low, double high, double? mean = null, double? std = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (!(high > low))
        {
            throw new ArgumentException($"The CT window must have high > low; got [{low}, {high}].", nameof(high));
        }

        using var scope = NewDisposeScope();
        var clipped = image.to(ScalarType.Float64).clamp(low, high);
        var m = mean ?? clipped.mean().item<double>();
        var s = std ?? clipped.std().item<double>();
        return clipped.sub(m).div(Math.Max(s, 1e-8)).to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <summary>MR: z-score over the foreground; background voxels become 0 (nnU-Net's <c>use_mask_for_norm</c>).</summary>
    /// <param name="image">The image.</param>
    /// <param name="foreground">A boolean mask of the same shape; <see langword="null"/> = voxels that are not 0.</param>
    /// <returns>A new float32 tensor.</returns>
    public static Tensor ForegroundZScore(Tensor image, Tensor? foreground = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        using var scope = NewDisposeScope();
        var x = image.to(ScalarType.Float64);
        var mask = foreground?.to(ScalarType.Bool) ?? x.ne(0);
        var values = x.masked_select(mask);
        if (values.numel() < 2)
        {
            return torch.zeros_like(x, ScalarType.Float32).MoveToOuterDisposeScope();
        }

        var m = values.mean().item<double>();
        var s = Math.Max(values.std().item<double>(), 1e-8);
        return torch.where(mask, x.sub(m).div(s), torch.zeros_like(x)).to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <summary>Plain z-score over all voxels.</summary>
    /// <param name="image">The image.</param>
    /// <returns>A new float32 tensor.</returns>
    public static Tensor ZScore(Tensor image)
    {
        ArgumentNullException.ThrowIfNull(image);
        using var scope = NewDisposeScope();
        var x = image.to(ScalarType.Float64);
        var s = Math.Max(x.std().item<double>(), 1e-8);
        return x.sub(x.mean()).div(s).to(ScalarType.Float32).MoveToOuterDisposeScope();
    }

    /// <summary>Clips to percentiles of the image (or of its foreground).</summary>
    /// <param name="image">The image.</param>
    /// <param name="lowPercentile">Lower percentile in [0, 100], e.g. 0.5.</param>
    /// <param name="highPercentile">Upper percentile in [0, 100], e.g. 99.5.</param>
    /// <param name="mask">Voxels whose values define the percentiles; <see langword="null"/> = all.</param>
    /// <returns>A new tensor, same dtype as float input (float32 for integer input).</returns>
    public static Tensor PercentileClip(Tensor image, double lowPercentile, double highPercentile, Tensor? mask = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (lowPercentile < 0 || highPercentile > 100 || !(highPercentile >= lowPercentile))
        {
            throw new ArgumentException($"Percentiles must satisfy 0 ≤ low ≤ high ≤ 100; got {lowPercentile}, {highPercentile}.");
        }

        using var scope = NewDisposeScope();
        var (lo, hi) = Percentiles(image, lowPercentile, highPercentile, mask);
        var x = image.is_floating_point() ? image : image.to(ScalarType.Float32);
        return x.clamp(lo, hi).MoveToOuterDisposeScope();
    }

    /// <summary>Two percentiles (linear interpolation between order statistics, as numpy's default).</summary>
    /// <param name="image">The image.</param>
    /// <param name="lowPercentile">Lower percentile in [0, 100].</param>
    /// <param name="highPercentile">Upper percentile in [0, 100].</param>
    /// <param name="mask">Voxels to consider; <see langword="null"/> = all.</param>
    /// <returns>The two values.</returns>
    public static (double Low, double High) Percentiles(Tensor image, double lowPercentile, double highPercentile, Tensor? mask = null)
    {
        ArgumentNullException.ThrowIfNull(image);
        using var scope = NewDisposeScope();
        var values = (mask is null ? image.flatten() : image.masked_select(mask.to(ScalarType.Bool))).to(ScalarType.Float64);
        var n = values.numel();
        if (n == 0)
        {
            return (0, 0);
        }

        var sorted = values.sort().Values;
        double At(double p)
        {
            var pos = p / 100.0 * (n - 1);
            var lo = (long)Math.Floor(pos);
            var hi = Math.Min(lo + 1, n - 1);
            var a = sorted[lo].item<double>();
            var b = sorted[hi].item<double>();
            return a + ((b - a) * (pos - lo));
        }

        return (At(lowPercentile), At(highPercentile));
    }

    /// <summary>The default per-modality normalisation: CT → window [−1000, 1000] then z-score; MR (and anything else) → foreground z-score.</summary>
    /// <param name="image">The image.</param>
    /// <param name="modality">DICOM-style modality (<c>CT</c>, <c>MR</c>, …).</param>
    /// <returns>A new float32 tensor.</returns>
    public static Tensor ForModality(Tensor image, string modality)
    {
        ArgumentNullException.ThrowIfNull(modality);
        return modality.Trim().Equals("CT", StringComparison.OrdinalIgnoreCase)
            ? CtWindowZScore(image, -1000, 1000)
            : ForegroundZScore(image);
    }
}
