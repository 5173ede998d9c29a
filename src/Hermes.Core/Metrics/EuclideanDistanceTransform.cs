using Hermes.Volumes;

namespace Hermes.Metrics;

/// <summary>
/// Exact Euclidean distance transform with anisotropic sampling (Felzenszwalb–Huttenlocher lower envelope of parabolas,
/// applied separably along x, y, then z). For every voxel it gives the distance in mm to the nearest feature voxel.
/// </summary>
/// <remarks>
/// The result is exact (up to floating-point rounding of the sums of squares): each 1D pass computes the lower envelope of
/// the parabolas (x − xₚ)² + f(p) in physical units. Voxels with no feature voxel in the volume get +∞ (so an empty
/// feature mask gives +∞ everywhere). Time O(N) per axis; memory one double per voxel plus per-thread line buffers.
/// Lines are processed in parallel.
/// </remarks>
public static class EuclideanDistanceTransform
{
    /// <summary>Distances in mm from every voxel to the nearest non-zero voxel of <paramref name="features"/>.</summary>
    /// <param name="features">The feature mask, [D, H, W] in C order; non-zero = feature.</param>
    /// <param name="shape">The mask shape.</param>
    /// <param name="spacing">Voxel spacing in mm (z, y, x).</param>
    /// <returns>One distance per voxel (0 on feature voxels, +∞ when there is no feature voxel).</returns>
    public static double[] Distances(ReadOnlySpan<byte> features, MaskShape shape, VoxelSpacing spacing)
    {
        var d = SquaredDistances(features, shape, spacing);
        for (var i = 0; i < d.Length; i++)
        {
            d[i] = Math.Sqrt(d[i]);
        }

        return d;
    }

    /// <summary>Squared distances in mm² from every voxel to the nearest non-zero voxel of <paramref name="features"/>.</summary>
    /// <param name="features">The feature mask, [D, H, W] in C order; non-zero = feature.</param>
    /// <param name="shape">The mask shape.</param>
    /// <param name="spacing">Voxel spacing in mm (z, y, x).</param>
    /// <returns>One squared distance per voxel (+∞ when there is no feature voxel).</returns>
    public static double[] SquaredDistances(ReadOnlySpan<byte> features, MaskShape shape, VoxelSpacing spacing)
    {
        shape.Validate(features.Length, nameof(features));
        spacing.Validate();
        var f = new double[features.Length];
        for (var i = 0; i < f.Length; i++)
        {
            f[i] = features[i] != 0 ? 0.0 : double.PositiveInfinity;
        }

        var (d, h, w) = (shape.Depth, shape.Height, shape.Width);
        TransformRows(f, d * h, w, spacing.X);
        TransformStrided(f, outer: d, outerStride: h * w, length: h, stride: w, inner: w, spacing.Y);
        TransformStrided(f, outer: 1, outerStride: 0, length: d, stride: h * w, inner: h * w, spacing.Z);
        return f;
    }

    /// <summary>Lines that are contiguous rows (the x axis).</summary>
    private static void TransformRows(double[] f, int lines, int length, double step)
    {
        if (length == 1)
        {
            return;
        }

        Parallel.For(
            0,
            lines,
            () => new LineBuffers(length),
            (line, _, buffers) =>
            {
                var row = f.AsSpan(line * length, length);
                if (!row.ContainsAnyExcept(double.PositiveInfinity))
                {
                    return buffers;
                }

                row.CopyTo(buffers.Input);
                LowerEnvelope(buffers.Input, row, buffers.Vertices, buffers.Boundaries, step);
                return buffers;
            },
            _ => { });
    }

    /// <summary>
    /// Lines along a strided axis, processed in tiles of <see cref="TileWidth"/> neighbouring lines: each tile row is a
    /// contiguous chunk of memory, so the strided axis is read and written a cache line at a time.
    /// </summary>
    private static void TransformStrided(double[] f, int outer, int outerStride, int length, int stride, int inner, double step)
    {
        if (length == 1)
        {
            return;
        }

        var blocks = (inner + TileWidth - 1) / TileWidth;
        Parallel.For(
            0,
            outer * blocks,
            () => new LineBuffers(length),
            (item, _, buffers) =>
            {
                var (o, block) = (item / blocks, item % blocks);
                var first = block * TileWidth;
                var width = Math.Min(TileWidth, inner - first);
                var origin = (o * outerStride) + first;
                var tile = buffers.Tile;
                for (var i = 0; i < length; i++)
                {
                    f.AsSpan(origin + (i * stride), width).CopyTo(tile.AsSpan(i * TileWidth, width));
                }

                var input = buffers.Input;
                var output = buffers.Output;
                for (var b = 0; b < width; b++)
                {
                    var any = false;
                    for (var i = 0; i < length; i++)
                    {
                        input[i] = tile[(i * TileWidth) + b];
                        any |= !double.IsPositiveInfinity(input[i]);
                    }

                    if (!any)
                    {
                        continue;
                    }

                    LowerEnvelope(input, output, buffers.Vertices, buffers.Boundaries, step);
                    for (var i = 0; i < length; i++)
                    {
                        tile[(i * TileWidth) + b] = output[i];
                    }
                }

                for (var i = 0; i < length; i++)
                {
                    tile.AsSpan(i * TileWidth, width).CopyTo(f.AsSpan(origin + (i * stride), width));
                }

                return buffers;
            },
            _ => { });
    }

    /// <summary>1D squared distance transform of a sampled function with sample step <paramref name="step"/> (mm).</summary>
    internal static void LowerEnvelope(ReadOnlySpan<double> f, Span<double> d, Span<int> v, Span<double> z, double step)
    {
        var n = f.Length;
        var k = -1;
        for (var q = 0; q < n; q++)
        {
            var fq = f[q];
            if (double.IsPositiveInfinity(fq))
            {
                continue;
            }

            var xq = q * step;
            var hq = fq + (xq * xq);
            var s = double.NegativeInfinity;
            while (k >= 0)
            {
                var p = v[k];
                var xp = p * step;
                s = (hq - (f[p] + (xp * xp))) / (2 * (xq - xp));
                if (s <= z[k])
                {
                    k--;
                    s = double.NegativeInfinity;
                }
                else
                {
                    break;
                }
            }

            k++;
            v[k] = q;
            z[k] = s;
        }

        if (k < 0)
        {
            d.Fill(double.PositiveInfinity);
            return;
        }

        z[k + 1] = double.PositiveInfinity;
        var j = 0;
        for (var q = 0; q < n; q++)
        {
            var x = q * step;
            while (z[j + 1] < x)
            {
                j++;
            }

            var dx = x - (v[j] * step);
            d[q] = (dx * dx) + f[v[j]];
        }
    }

    private const int TileWidth = 16;

    private sealed class LineBuffers(int length)
    {
        public double[] Tile { get; } = new double[length * TileWidth];

        public double[] Input { get; } = new double[length];

        public double[] Output { get; } = new double[length];

        public int[] Vertices { get; } = new int[length];

        public double[] Boundaries { get; } = new double[length + 1];
    }
}
