using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Augmentation;

/// <summary>
/// Affine resampling of patches through <c>affine_grid</c> + <c>grid_sample</c> (align_corners = true): images trilinear,
/// label maps nearest, zeros outside. Matrices act on normalised output coordinates <c>(x, y, z)</c> = (W, H, D) and give
/// the normalised input position sampled: <c>input = A · output</c>.
/// </summary>
public static class SpatialTransform
{
    /// <summary>
    /// The reference's matrix <c>Rx · Ry · Rz · S</c> (hermes-reference.md §9.2): rotations in degrees about x, y, z, and
    /// S with per-axis scales on the diagonal and the six shear terms off it (order: xy, xz, yx, yz, zx, zy).
    /// </summary>
    /// <param name="rotationDegrees">Rotation about x, y and z, in degrees.</param>
    /// <param name="scale">Scale along x, y and z.</param>
    /// <param name="shear">Six shear terms, or <see langword="null"/> for none.</param>
    /// <returns>A 3×3 matrix.</returns>
    public static double[,] Matrix(ReadOnlySpan<double> rotationDegrees, ReadOnlySpan<double> scale, ReadOnlySpan<double> shear = default)
    {
        double R(double deg) => deg * Math.PI / 180.0;
        double cx = Math.Cos(R(rotationDegrees[0])), sx = Math.Sin(R(rotationDegrees[0]));
        double cy = Math.Cos(R(rotationDegrees[1])), sy = Math.Sin(R(rotationDegrees[1]));
        double cz = Math.Cos(R(rotationDegrees[2])), sz = Math.Sin(R(rotationDegrees[2]));
        double[,] rx = { { 1, 0, 0 }, { 0, cx, -sx }, { 0, sx, cx } };
        double[,] ry = { { cy, 0, sy }, { 0, 1, 0 }, { -sy, 0, cy } };
        double[,] rz = { { cz, -sz, 0 }, { sz, cz, 0 }, { 0, 0, 1 } };
        var s = new double[3, 3];
        for (var i = 0; i < 3; i++)
        {
            s[i, i] = scale[i];
        }

        if (shear.Length == 6)
        {
            s[0, 1] = shear[0];
            s[0, 2] = shear[1];
            s[1, 0] = shear[2];
            s[1, 2] = shear[3];
            s[2, 0] = shear[4];
            s[2, 1] = shear[5];
        }

        return Multiply(Multiply(Multiply(rx, ry), rz), s);
    }

    /// <summary>
    /// Resamples one patch <c>[N, C, D, H, W]</c> by a 3×3 matrix about its centre and returns the central
    /// <paramref name="outputSize"/> region (the output grid spans the central part of the input, so no voxel is computed
    /// and then cropped). An identity matrix takes the exact centre crop (no interpolation).
    /// </summary>
    /// <param name="input">Float tensor <c>[N, C, D, H, W]</c> on any device.</param>
    /// <param name="matrix">3×3 matrix on normalised <c>(x, y, z)</c>.</param>
    /// <param name="outputSize">Output <c>(D, H, W)</c>, each ≤ the input's.</param>
    /// <param name="nearest">Nearest-neighbour (labels) instead of trilinear (images).</param>
    /// <returns>The resampled patch <c>[N, C, outD, outH, outW]</c>.</returns>
    public static Tensor Warp(Tensor input, double[,] matrix, IReadOnlyList<int> outputSize, bool nearest)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(matrix);
        long n = input.shape[0], c = input.shape[1];
        var inSize = new[] { input.shape[2], input.shape[3], input.shape[4] };
        if (IsIdentity(matrix))
        {
            return CenterCrop(input, outputSize);
        }

        // Output normalised u (over outSize) ↦ input normalised (over inSize) of the same voxel offset from the centre:
        // ratio (out − 1) / (in − 1) per axis, applied before the matrix. Tensor axes D, H, W are z, y, x.
        var ratio = new double[3];
        for (var a = 0; a < 3; a++)
        {
            var inAxis = inSize[2 - a];
            var outAxis = outputSize[2 - a];
            ratio[a] = inAxis > 1 ? (outAxis - 1) / (double)(inAxis - 1) : 1.0;
        }

        var theta = new double[12];
        for (var r = 0; r < 3; r++)
        {
            for (var k = 0; k < 3; k++)
            {
                theta[(r * 4) + k] = matrix[r, k] * ratio[k];
            }
        }

        using var scope = NewDisposeScope();
        var dtype = input.dtype == ScalarType.Float64 ? ScalarType.Float64 : ScalarType.Float32;
        var t = tensor(theta, dtype: dtype, device: input.device).view(1, 3, 4).expand(n, 3, 4);
        var grid = nn.functional.affine_grid(t, [n, c, outputSize[0], outputSize[1], outputSize[2]], align_corners: true);
        var source = input.dtype == dtype ? input : input.to(dtype);
        var output = nn.functional.grid_sample(source, grid, nearest ? GridSampleMode.Nearest : GridSampleMode.Bilinear, GridSamplePaddingMode.Zeros, align_corners: true);
        return output.MoveToOuterDisposeScope();
    }

    /// <summary>The central <paramref name="outputSize"/> region (start at ⌊(in − out) / 2⌋ per axis), copied.</summary>
    /// <param name="input">Tensor <c>[N, C, D, H, W]</c>.</param>
    /// <param name="outputSize">Output <c>(D, H, W)</c>.</param>
    /// <returns>The crop.</returns>
    public static Tensor CenterCrop(Tensor input, IReadOnlyList<int> outputSize) =>
        Crop(input, [(int)(input.shape[2] - outputSize[0]) / 2, (int)(input.shape[3] - outputSize[1]) / 2, (int)(input.shape[4] - outputSize[2]) / 2], outputSize);

    /// <summary>A copied region of <c>[N, C, D, H, W]</c>.</summary>
    /// <param name="input">The tensor.</param>
    /// <param name="start">Start <c>(d, h, w)</c>.</param>
    /// <param name="size">Size <c>(d, h, w)</c>.</param>
    /// <returns>The region.</returns>
    public static Tensor Crop(Tensor input, IReadOnlyList<int> start, IReadOnlyList<int> size)
    {
        using var a = input.narrow(2, start[0], size[0]);
        using var b = a.narrow(3, start[1], size[1]);
        using var d = b.narrow(4, start[2], size[2]);
        return d.contiguous().clone();
    }

    private static bool IsIdentity(double[,] m)
    {
        for (var r = 0; r < 3; r++)
        {
            for (var c = 0; c < 3; c++)
            {
                if (m[r, c] != (r == c ? 1.0 : 0.0))
                {
                    return false;
                }
            }
        }

        return true;
    }

    private static double[,] Multiply(double[,] a, double[,] b)
    {
        var r = new double[3, 3];
        for (var i = 0; i < 3; i++)
        {
            for (var j = 0; j < 3; j++)
            {
                for (var k = 0; k < 3; k++)
                {
                    r[i, j] += a[i, k] * b[k, j];
                }
            }
        }

        return r;
    }
}
