using Hermes.Volumes;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Data;

/// <summary>
/// Resamples a voxel array to a target spacing on the same axes: the first voxel centre stays in place and new voxel
/// centres lie every target mm (new size = round(size × spacing / target)). Images are trilinear, labels nearest; both clamp
/// at the border.
/// </summary>
internal static class SpacingResampler
{
    private const long SlabVoxels = 1L << 22;

    public static (Tensor Data, VolumeGeometry Geometry) Resample(Tensor data, VolumeGeometry geometry, IReadOnlyList<double> target, bool nearest)
    {
        var spacing = geometry.Spacing;
        var shape = geometry.Shape;
        var newShape = new int[3];
        var same = true;
        for (var a = 0; a < 3; a++)
        {
            newShape[a] = Math.Max(1, (int)Math.Round(shape[a] * spacing[a] / target[a], MidpointRounding.AwayFromZero));
            same &= Math.Abs(spacing[a] - target[a]) <= 1e-6 * target[a];
        }

        if (same)
        {
            return (data.alias(), geometry);
        }

        var affine = geometry.Affine;
        for (var a = 0; a < 3; a++)
        {
            var f = target[a] / spacing[a];
            for (var r = 0; r < 3; r++)
            {
                affine[r, a] *= f;
            }
        }

        using var scope = NewDisposeScope();
        var input = (nearest ? data.to(ScalarType.Float32) : data).unsqueeze(0);
        // Normalised input coordinates (align_corners = true) of the new voxel centres, per tensor axis: x = W = i, y = H = j, z = D = k.
        var coords = new Tensor[3];
        for (var a = 0; a < 3; a++)
        {
            var step = target[a] / spacing[a];
            using var idx = arange(newShape[a], dtype: ScalarType.Float64) * step;
            coords[a] = (shape[a] == 1 ? zeros_like(idx) : (idx * (2.0 / (shape[a] - 1))) - 1.0).to(ScalarType.Float32);
        }

        var planeVoxels = (long)newShape[0] * newShape[1];
        var slab = (int)Math.Max(1, SlabVoxels / planeVoxels);
        var parts = new List<Tensor>();
        for (var z0 = 0; z0 < newShape[2]; z0 += slab)
        {
            var nz = Math.Min(slab, newShape[2] - z0);
            var gz = coords[2].narrow(0, z0, nz).view(nz, 1, 1).expand(nz, newShape[1], newShape[0]);
            var gy = coords[1].view(1, newShape[1], 1).expand(nz, newShape[1], newShape[0]);
            var gx = coords[0].view(1, 1, newShape[0]).expand(nz, newShape[1], newShape[0]);
            var grid = stack([gx, gy, gz], -1).unsqueeze(0);
            parts.Add(nn.functional.grid_sample(input, grid, nearest ? GridSampleMode.Nearest : GridSampleMode.Bilinear, GridSamplePaddingMode.Border, align_corners: true));
        }

        var output = cat(parts, 2).squeeze(0);
        if (nearest)
        {
            output = output.round().to(data.dtype);
        }

        var result = output.contiguous().MoveToOuterDisposeScope();
        return (result, new VolumeGeometry(newShape[0], newShape[1], newShape[2], affine));
    }
}
