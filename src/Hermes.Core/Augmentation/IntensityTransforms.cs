using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Augmentation;

/// <summary>
/// The reference's intensity transforms (hermes-reference.md §9.2) on one float patch <c>[C, D, H, W]</c> (any device).
/// Each returns a new tensor; statistics are over the whole patch. None synchronises with the device.
/// </summary>
public static class IntensityTransforms
{
    private const double Epsilon = 1e-7;

    /// <summary>Multiplies intensities by a factor.</summary>
    /// <param name="x">The patch.</param>
    /// <param name="factor">The factor.</param>
    /// <returns>The result.</returns>
    public static Tensor Brightness(Tensor x, double factor) => x * factor;

    /// <summary>Adds a constant.</summary>
    /// <param name="x">The patch.</param>
    /// <param name="shift">The shift.</param>
    /// <returns>The result.</returns>
    public static Tensor Shift(Tensor x, double shift) => x + shift;

    /// <summary>
    /// Gamma: min–max normalise, raise to γ, restore the range, then restore the original mean and standard deviation.
    /// A constant patch (max − min ≤ 1e-7) is returned unchanged (the reference divides by zero here, §14.16).
    /// </summary>
    /// <param name="x">The patch.</param>
    /// <param name="gamma">γ &gt; 0.</param>
    /// <returns>The result.</returns>
    public static Tensor Gamma(Tensor x, double gamma)
    {
        using var scope = NewDisposeScope();
        var mn = x.amin([], keepdim: false);
        var mx = x.amax([], keepdim: false);
        var range = mx - mn;
        var valid = range > Epsilon;
        var safeRange = range.clamp_min(Epsilon);
        var mean = x.mean();
        var std = x.std(unbiased: false);
        var y = ((x - mn) / safeRange).clamp(0, 1).pow(gamma) * safeRange + mn;
        var yStd = y.std(unbiased: false);
        y = (y - y.mean()) / yStd.clamp_min(Epsilon) * std + mean;
        return where(valid, y, x).MoveToOuterDisposeScope();
    }

    /// <summary>Scales deviations from the mean by a factor, then clips to the original [min, max].</summary>
    /// <param name="x">The patch.</param>
    /// <param name="factor">The contrast factor.</param>
    /// <returns>The result.</returns>
    public static Tensor Contrast(Tensor x, double factor)
    {
        using var scope = NewDisposeScope();
        var mean = x.mean();
        var y = ((x - mean) * factor) + mean;
        return minimum(maximum(y, x.amin([], keepdim: false)), x.amax([], keepdim: false)).MoveToOuterDisposeScope();
    }

    /// <summary>Gaussian blur with zero padding: kernel size 2·⌈3σ⌉ + 1, applied as three 1-D passes (identical to the full 3-D kernel).</summary>
    /// <param name="x">The patch <c>[C, D, H, W]</c>.</param>
    /// <param name="sigma">σ in voxels.</param>
    /// <returns>The result.</returns>
    public static Tensor Blur(Tensor x, double sigma)
    {
        var radius = (int)Math.Ceiling(3 * sigma);
        var weights = new double[(2 * radius) + 1];
        for (var i = -radius; i <= radius; i++)
        {
            weights[i + radius] = Math.Exp(-(i * i) / (2 * sigma * sigma));
        }

        var sum = weights.Sum();
        using var scope = NewDisposeScope();
        var c = x.shape[0];
        var kernel = (tensor(weights, dtype: ScalarType.Float64) / sum).to(x.dtype).to(x.device);
        var y = x.unsqueeze(0);
        var shapes = new[] { new long[] { c, 1, weights.Length, 1, 1 }, [c, 1, 1, weights.Length, 1], [c, 1, 1, 1, weights.Length] };
        var pads = new[] { new long[] { radius, 0, 0 }, [0, radius, 0], [0, 0, radius] };
        for (var axis = 0; axis < 3; axis++)
        {
            var k = kernel.view(1, 1, -1).expand(c, 1, weights.Length).reshape(shapes[axis]);
            y = nn.functional.conv3d(y, k, padding: pads[axis], groups: c);
        }

        return y.squeeze(0).MoveToOuterDisposeScope();
    }

    /// <summary>Adds Gaussian noise N(0, std²).</summary>
    /// <param name="x">The patch.</param>
    /// <param name="std">Noise standard deviation.</param>
    /// <param name="generator">The generator (on the patch's device).</param>
    /// <returns>The result.</returns>
    public static Tensor Noise(Tensor x, double std, Generator generator)
    {
        using var noise = randn(x.shape, dtype: x.dtype, device: x.device, generator: generator);
        return x + (noise * std);
    }
}
