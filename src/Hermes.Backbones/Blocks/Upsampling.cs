using Hermes.Operations;
using static TorchSharp.torch;

namespace Hermes.Backbones.Blocks;

/// <summary>
/// Trilinear upsampling with <c>align_corners = true</c> to an exact spatial size, as every Hermes decoder does; computed
/// by <see cref="AlignedTrilinearUpsampling"/> (separable matrix products, 4–5× faster than LibTorch's CPU kernel).
/// </summary>
public static class Upsampling
{
    /// <summary>Resizes <paramref name="input"/> <c>[B, C, D, H, W]</c> to <paramref name="size"/> (D, H, W).</summary>
    /// <param name="input">The feature map.</param>
    /// <param name="size">Target spatial size.</param>
    public static Tensor ToSize(Tensor input, long[] size)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(size);
        return AlignedTrilinearUpsampling.Resize(input, size);
    }
}
