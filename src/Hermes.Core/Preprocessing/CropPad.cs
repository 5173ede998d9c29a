using Hermes.Volumes;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Preprocessing;

/// <summary>
/// Cropping and padding on the voxel grid (no interpolation): the affine is shifted so every kept voxel keeps its
/// world position. Works on the tensor's device.
/// </summary>
public static class CropPad
{
    /// <summary>
    /// A window of the volume: <paramref name="size"/> voxels starting at index <paramref name="start"/> (along i, j, k;
    /// may be negative or run past the end — those voxels are padded with <paramref name="fill"/>).
    /// </summary>
    /// <param name="volume">The volume.</param>
    /// <param name="start">First index along (i, j, k).</param>
    /// <param name="size">Window size along (i, j, k), positive.</param>
    /// <param name="fill">Value of padded voxels.</param>
    /// <returns>A new volume.</returns>
    public static Volume Region(Volume volume, IReadOnlyList<int> start, IReadOnlyList<int> size, double fill = 0)
    {
        ArgumentNullException.ThrowIfNull(volume);
        ArgumentNullException.ThrowIfNull(start);
        ArgumentNullException.ThrowIfNull(size);
        if (start.Count != 3 || size.Count != 3 || size.Any(s => s <= 0))
        {
            throw new ArgumentException("Start and size need three values (i, j, k); sizes positive.");
        }

        var g = volume.Geometry;
        using var scope = NewDisposeScope();
        var data = volume.Data;
        var output = torch.full([data.shape[0], size[2], size[1], size[0]], fill, data.dtype, data.device);
        var src = new long[3][];
        var dst = new long[3][];
        for (var a = 0; a < 3; a++)
        {
            var from = Math.Max(0, start[a]);
            var to = Math.Min(g.Shape[a], start[a] + size[a]);
            src[a] = [from, Math.Max(0, to - from)];
            dst[a] = [from - start[a], Math.Max(0, to - from)];
        }

        if (src.All(s => s[1] > 0))
        {
            var part = data.narrow(3, src[0][0], src[0][1]).narrow(2, src[1][0], src[1][1]).narrow(1, src[2][0], src[2][1]);
            output.narrow(3, dst[0][0], dst[0][1]).narrow(2, dst[1][0], dst[1][1]).narrow(1, dst[2][0], dst[2][1]).copy_(part);
        }

        var affine = g.Affine;
        var (x, y, z) = g.IndexToWorld(start[0], start[1], start[2]);
        affine[0, 3] = x;
        affine[1, 3] = y;
        affine[2, 3] = z;
        var geometry = new VolumeGeometry(size[0], size[1], size[2], affine);
        return new Volume(output.MoveToOuterDisposeScope(), geometry, volume.Metadata);
    }

    /// <summary>Crops or pads symmetrically to a shape (extra voxel at the end when the difference is odd).</summary>
    /// <param name="volume">The volume.</param>
    /// <param name="shape">Target shape along (i, j, k).</param>
    /// <param name="fill">Value of padded voxels.</param>
    /// <returns>A new volume.</returns>
    public static Volume CenterTo(Volume volume, IReadOnlyList<int> shape, double fill = 0)
    {
        ArgumentNullException.ThrowIfNull(volume);
        ArgumentNullException.ThrowIfNull(shape);
        var start = Enumerable.Range(0, 3).Select(a => (volume.Geometry.Shape[a] - shape[a]) / 2).ToArray();
        for (var a = 0; a < 3; a++)
        {
            var diff = volume.Geometry.Shape[a] - shape[a];
            start[a] = diff >= 0 ? diff / 2 : -((-diff) / 2);
        }

        return Region(volume, start, shape, fill);
    }

    /// <summary>The bounding box of voxels above <paramref name="threshold"/> in any channel, grown by <paramref name="margin"/> voxels (clipped to the volume).</summary>
    /// <param name="volume">The volume.</param>
    /// <param name="threshold">Foreground is value &gt; threshold.</param>
    /// <param name="margin">Voxels added on each side.</param>
    /// <returns>(start, size) along (i, j, k), or the whole volume when it has no foreground.</returns>
    public static (int[] Start, int[] Size) ForegroundBox(Volume volume, double threshold = 0, int margin = 0)
    {
        ArgumentNullException.ThrowIfNull(volume);
        using var scope = NewDisposeScope();
        var fg = volume.Data.gt(threshold).any(0);
        var start = new int[3];
        var size = new int[3];
        for (var a = 0; a < 3; a++)
        {
            var dim = 2 - a;
            var others = Enumerable.Range(0, 3).Where(d => d != dim).Select(d => (long)d).ToArray();
            var profile = fg.any(others[1]).any(others[0]);
            var idx = profile.nonzero();
            if (idx.shape[0] == 0)
            {
                return ([0, 0, 0], [.. volume.Geometry.Shape]);
            }

            var lo = (int)idx.min().item<long>();
            var hi = (int)idx.max().item<long>();
            start[a] = Math.Max(0, lo - margin);
            size[a] = Math.Min(volume.Geometry.Shape[a] - 1, hi + margin) - start[a] + 1;
        }

        return (start, size);
    }
}
