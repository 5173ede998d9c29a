using Hermes.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Inference;

/// <summary>The per-voxel weight of a window's prediction when overlapping windows are stitched.</summary>
public static class ImportanceMap
{
    /// <summary>
    /// The weight map of a window: all ones (<see cref="WindowWeighting.Uniform"/>) or the separable Gaussian
    /// exp(−Σ (iₐ − cₐ)² / (2σₐ²)) with cₐ = (nₐ − 1)/2 and σₐ = <paramref name="sigmaScale"/>·nₐ, maximum 1, symmetric under
    /// flips, floored at 1e-20 so that no covered voxel has zero total weight.
    /// </summary>
    /// <param name="window">Window size (d, h, w).</param>
    /// <param name="weighting">The weighting.</param>
    /// <param name="sigmaScale">σ as a fraction of the window size (Gaussian only).</param>
    /// <param name="device">Device of the map; <see langword="null"/> for the CPU.</param>
    /// <returns>A float32 tensor [d, h, w].</returns>
    public static Tensor Create((int Depth, int Height, int Width) window, WindowWeighting weighting, double sigmaScale = 0.125, Device? device = null)
    {
        HermesRuntime.EnsureInitialized();
        if (weighting == WindowWeighting.Uniform)
        {
            return ones([window.Depth, window.Height, window.Width], ScalarType.Float32, device);
        }

        using var scope = NewDisposeScope();
        var z = Axis(window.Depth, sigmaScale).reshape(-1, 1, 1);
        var y = Axis(window.Height, sigmaScale).reshape(1, -1, 1);
        var x = Axis(window.Width, sigmaScale).reshape(1, 1, -1);
        var map = (z * y * x).clamp_min(1e-20).to(ScalarType.Float32).to(device ?? CPU);
        return map.MoveToOuterDisposeScope();
    }

    private static Tensor Axis(int n, double sigmaScale)
    {
        var centre = (n - 1) / 2.0;
        var sigma = sigmaScale * n;
        var i = arange(n, ScalarType.Float64);
        return exp(-(i - centre).square() / (2 * sigma * sigma));
    }
}
