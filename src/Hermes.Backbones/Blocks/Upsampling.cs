using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Backbones.Blocks;

/// <summary>Trilinear upsampling with <c>align_corners = true</c> to an exact spatial size, as every Hermes decoder does.</summary>
public static class Upsampling
{
    /// <summary>Resizes <paramref name="input"/> <c>[B, C, D, H, W]</c> to <paramref name="size"/> (D, H, W).</summary>
    /// <param name="input">The feature map.</param>
    /// <param name="size">Target spatial size.</param>
    public static Tensor ToSize(Tensor input, long[] size)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(size);
        return nn.functional.interpolate(input, size, mode: InterpolationMode.Trilinear, align_corners: true);
    }
}
