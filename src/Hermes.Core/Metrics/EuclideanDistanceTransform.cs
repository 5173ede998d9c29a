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
        TransformAxis(f, lines: d * h, length: w, stride: 1, lineStart: line => line * w, spacing.X);
        TransformAxis(f, lines: d * w, length: h, stride: w, lineStart: line => ((line / w) * h * w) + (line % w), spacing.Y);
        TransformAxis(f, lines: h * w, length: d, stride: h * w, lineStart: line => line, spacing.Z);
        return f;
    }

    private static void TransformAxis(double[] f, int lines, int length, int stride, Func<int, int> lineStart, double step)
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
                var start = lineStart(line);
                var input = buffers.Input;
                var any = false;
                for (int i = 0, k = start; i < length; i++, k += stride)
                {
                    input[i] = f[k];
                    any |= !double.IsPositiveInfinity(input[i]);
                }

                if (!any)
                {
                    return buffers;
                }

                LowerEnvelope(input, buffers.Output, buffers.Vertices, buffers.Boundaries, step);
                var output = buffers.Output;
                for (int i = 0, k = start; i < length; i++, k += stride)
                {
                    f[k] = output[i];
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

    private sealed class LineBuffers(int length)
    {
        public double[] Input { get; } = new double[length];

        public double[] Output { get; } = new double[length];

        public int[] Vertices { get; } = new int[length];

        public double[] Boundaries { get; } = new double[length + 1];
    }
}
