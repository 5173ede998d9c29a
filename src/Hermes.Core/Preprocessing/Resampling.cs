using Hermes.Volumes;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Preprocessing;

/// <summary>
/// Resampling of volumes and tensors between grids, through world coordinates, with <c>grid_sample</c>
/// (align_corners; runs on the tensor's device, GPU included).
/// </summary>
/// <remarks>
/// <para><b>Voxel-centre convention.</b> Affines map voxel centres. <see cref="TargetForSpacing"/> keeps the direction
/// cosines, sets the spacing exactly to the request, takes <c>n' = max(1, round(n · s / s'))</c> voxels per axis and
/// keeps the <em>centre</em> of the grid fixed: the first new voxel centre sits at old index
/// <c>((n − 1) − (n' − 1) · s' / s) / 2</c>, so new origin = old affine × that index. Field of view is preserved to
/// within half a new voxel on each side.</para>
/// <para>Samples outside the source grid take the nearest edge value (<c>border</c>) unless <c>zeroOutside</c> is set.</para>
/// </remarks>
public static class Resampling
{
    /// <summary>The grid with the requested spacing, same directions and centre (see remarks).</summary>
    /// <param name="source">The source grid.</param>
    /// <param name="spacing">Target spacing in mm along (i, j, k).</param>
    /// <returns>The target grid.</returns>
    public static VolumeGeometry TargetForSpacing(VolumeGeometry source, IReadOnlyList<double> spacing)
    {
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(spacing);
        if (spacing.Count != 3 || spacing.Any(s => !(s > 0) || !double.IsFinite(s)))
        {
            throw new ArgumentException("Target spacing needs three positive values (i, j, k).", nameof(spacing));
        }

        var oldSpacing = source.Spacing;
        var direction = source.Direction;
        var size = new int[3];
        var start = new double[3];
        for (var a = 0; a < 3; a++)
        {
            size[a] = Math.Max(1, (int)Math.Round(source.Shape[a] * oldSpacing[a] / spacing[a]));
            start[a] = ((source.Shape[a] - 1) - ((size[a] - 1) * spacing[a] / oldSpacing[a])) / 2;
        }

        var (x, y, z) = source.IndexToWorld(start[0], start[1], start[2]);
        return VolumeGeometry.Create(size, spacing, [x, y, z], direction);
    }

    /// <summary>Resamples a volume to a spacing (see <see cref="TargetForSpacing"/>).</summary>
    /// <param name="volume">The volume.</param>
    /// <param name="spacing">Target spacing in mm along (i, j, k).</param>
    /// <param name="mode">Interpolation (<see cref="ResamplingMode.Linear"/> for images, a label mode for label maps).</param>
    /// <returns>A new volume.</returns>
    public static Volume ToSpacing(Volume volume, IReadOnlyList<double> spacing, ResamplingMode mode = ResamplingMode.Linear)
    {
        ArgumentNullException.ThrowIfNull(volume);
        return ToGeometry(volume, TargetForSpacing(volume.Geometry, spacing), mode);
    }

    /// <summary>Resamples a volume onto another grid (e.g. a label onto its image's grid).</summary>
    /// <param name="volume">The volume.</param>
    /// <param name="target">The target grid.</param>
    /// <param name="mode">Interpolation.</param>
    /// <param name="zeroOutside">Fill samples outside the source with 0 instead of the edge value.</param>
    /// <returns>A new volume.</returns>
    public static Volume ToGeometry(Volume volume, VolumeGeometry target, ResamplingMode mode = ResamplingMode.Linear, bool zeroOutside = false)
    {
        ArgumentNullException.ThrowIfNull(volume);
        return new Volume(Resample(volume.Data, volume.Geometry, target, mode, zeroOutside), target, volume.Metadata);
    }

    /// <summary>Resamples a tensor <c>[C, D, H, W]</c> or <c>[N, C, D, H, W]</c> from one grid to another.</summary>
    /// <param name="data">The data (any device). Linear results are floating point; label modes keep the dtype.</param>
    /// <param name="source">The grid of <paramref name="data"/>.</param>
    /// <param name="target">The target grid.</param>
    /// <param name="mode">Interpolation.</param>
    /// <param name="zeroOutside">Fill samples outside the source with 0 instead of the edge value.</param>
    /// <returns>The resampled tensor, same rank as the input.</returns>
    public static Tensor Resample(Tensor data, VolumeGeometry source, VolumeGeometry target, ResamplingMode mode, bool zeroOutside = false)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(source);
        ArgumentNullException.ThrowIfNull(target);
        var batched = data.dim() == 5;
        if (data.dim() is not (4 or 5) || data.shape[^1] != source.Shape[0] || data.shape[^2] != source.Shape[1] || data.shape[^3] != source.Shape[2])
        {
            throw new ArgumentException($"Expected [C, D, H, W] or [N, C, D, H, W] matching the source grid ({source.Shape[2]}, {source.Shape[1]}, {source.Shape[0]}); got [{string.Join(", ", data.shape)}].", nameof(data));
        }

        using var scope = NewDisposeScope();
        var input = batched ? data : data.unsqueeze(0);
        var padding = zeroOutside ? GridSamplePaddingMode.Zeros : GridSamplePaddingMode.Border;
        // float32 unless the data is float64, or integer labels exceed float32's exact integer range (2^24).
        var compute = data.dtype == ScalarType.Float64 || (mode != ResamplingMode.Linear && data.dtype is ScalarType.Int32 or ScalarType.Int64 && data.abs().max().to(ScalarType.Int64).item<long>() > (1L << 24))
            ? ScalarType.Float64
            : ScalarType.Float32;
        var grid = Grid(source, target, input.shape[0], input.shape[1], compute, data.device);
        Tensor result;
        switch (mode)
        {
            case ResamplingMode.Linear:
                result = nn.functional.grid_sample(input.to(compute), grid, GridSampleMode.Bilinear, padding, align_corners: true);
                if (data.dtype == ScalarType.Float32)
                {
                    result = result.to(ScalarType.Float32);
                }

                break;
            case ResamplingMode.Nearest:
                result = nn.functional.grid_sample(input.to(compute), grid, GridSampleMode.Nearest, padding, align_corners: true).round().to(data.dtype);
                break;
            case ResamplingMode.LinearOneHot:
                result = OneHotLinear(input, grid, padding, compute);
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(mode), mode, "Unknown resampling mode.");
        }

        if (!batched)
        {
            result = result.squeeze(0);
        }

        return result.contiguous().MoveToOuterDisposeScope();
    }

    private static Tensor OneHotLinear(Tensor input, Tensor grid, GridSamplePaddingMode padding, ScalarType compute)
    {
        var labels = torch.unique(input.flatten(), sorted: true).Item1;
        var values = labels.to(ScalarType.Float64).cpu().data<double>().ToArray();
        var outShape = new long[] { input.shape[0], input.shape[1], grid.shape[1], grid.shape[2], grid.shape[3] };
        var best = torch.full(outShape, -1.0, compute, input.device);
        var result = torch.zeros(outShape, input.dtype, input.device);
        foreach (var v in values)
        {
            using var step = NewDisposeScope();
            var mask = input.eq(v).to(compute);
            var weight = nn.functional.grid_sample(mask, grid, GridSampleMode.Bilinear, padding, align_corners: true);
            var better = weight.gt(best);
            best.copy_(torch.where(better, weight, best));
            result.masked_fill_(better, v);
        }

        return result;
    }

    /// <summary>The sampling grid: for each target voxel, the normalised (align_corners) source coordinate (x = i, y = j, z = k).</summary>
    private static Tensor Grid(VolumeGeometry source, VolumeGeometry target, long batch, long channels, ScalarType dtype, Device device)
    {
        var m = Matrix3.Multiply4(source.InverseAffine, target.Affine);
        var toNormal = new double[4, 4];
        var fromNormal = new double[4, 4];
        for (var a = 0; a < 3; a++)
        {
            var n = source.Shape[a];
            toNormal[a, a] = n > 1 ? 2.0 / (n - 1) : 0;
            toNormal[a, 3] = n > 1 ? -1 : 0;
            var nt = target.Shape[a];
            fromNormal[a, a] = (nt - 1) / 2.0;
            fromNormal[a, 3] = (nt - 1) / 2.0;
        }

        toNormal[3, 3] = 1;
        fromNormal[3, 3] = 1;
        var theta = Matrix3.Multiply4(toNormal, Matrix3.Multiply4(m, fromNormal));
        var flat = new double[12];
        for (var r = 0; r < 3; r++)
        {
            for (var c = 0; c < 4; c++)
            {
                flat[(r * 4) + c] = theta[r, c];
            }
        }

        var t = torch.tensor(flat, dtype: ScalarType.Float64).reshape(1, 3, 4).to(dtype).to(device).expand(batch, 3, 4);
        return nn.functional.affine_grid(t, [batch, channels, target.Shape[2], target.Shape[1], target.Shape[0]], align_corners: true);
    }
}
