using Hermes.Volumes;

namespace Hermes.IO.Nifti;

/// <summary>
/// The voxel → RAS+ affine of a NIfTI header, chosen as nibabel's <c>get_best_affine</c>: the sform when
/// <c>sform_code &gt; 0</c>, else the qform when <c>qform_code &gt; 0</c>, else the Analyze fallback from <c>pixdim</c>
/// (x flipped, centred). Also the inverse: qform quaternion parameters for an affine (writer).
/// </summary>
public static class NiftiAffine
{
    /// <summary>Which header fields produced the affine.</summary>
    public enum Source
    {
        /// <summary><c>srow_x/y/z</c> (sform_code &gt; 0).</summary>
        Sform,

        /// <summary>Quaternion, <c>qoffset</c> and <c>pixdim</c> (qform_code &gt; 0).</summary>
        Qform,

        /// <summary><c>pixdim</c> only (both codes 0; nibabel's Analyze-style fallback).</summary>
        Fallback,
    }

    /// <summary>Computes the best affine of a header.</summary>
    /// <param name="header">The header.</param>
    /// <param name="file">The file, for error messages.</param>
    /// <param name="source">The fields used.</param>
    /// <returns>The 4×4 voxel → RAS+ affine.</returns>
    /// <exception cref="VolumeFormatException">The chosen fields are invalid (non-finite, zero or negative pixdim, non-unit quaternion, singular matrix).</exception>
    public static double[,] Best(NiftiHeader header, string file, out Source source)
    {
        ArgumentNullException.ThrowIfNull(header);
        double[,] a;
        if (header.SformCode > 0)
        {
            source = Source.Sform;
            a = new double[4, 4];
            for (var r = 0; r < 3; r++)
            {
                for (var c = 0; c < 4; c++)
                {
                    a[r, c] = header.SRow[r, c];
                }
            }

            a[3, 3] = 1;
            Check(a, file, "srow_x/srow_y/srow_z");
            return a;
        }

        if (header.QformCode > 0)
        {
            source = Source.Qform;
            a = Qform(header, file);
            Check(a, file, "quatern/qoffset/pixdim");
            return a;
        }

        source = Source.Fallback;
        var zooms = Zooms(header, file);
        var shape = new long[3];
        for (var i = 0; i < 3; i++)
        {
            shape[i] = i < header.Dim[0] ? header.Dim[i + 1] : 1;
        }

        a = new double[4, 4];
        a[0, 0] = -zooms[0];
        a[1, 1] = zooms[1];
        a[2, 2] = zooms[2];
        a[0, 3] = (shape[0] - 1) / 2.0 * zooms[0];
        a[1, 3] = -(shape[1] - 1) / 2.0 * zooms[1];
        a[2, 3] = -(shape[2] - 1) / 2.0 * zooms[2];
        a[3, 3] = 1;
        return a;
    }

    /// <summary>The qform affine (nibabel <c>get_qform</c>).</summary>
    /// <param name="header">The header.</param>
    /// <param name="file">The file, for error messages.</param>
    /// <returns>The 4×4 affine.</returns>
    public static double[,] Qform(NiftiHeader header, string file)
    {
        ArgumentNullException.ThrowIfNull(header);
        double b = header.Quatern[0], c = header.Quatern[1], d = header.Quatern[2];
        var threshold = header.Version == 2 ? 3 * 2.220446049250313e-16 : 3 * 1.1920929e-7;

        var w2 = 1 - ((b * b) + (c * c) + (d * d));
        if (!double.IsFinite(w2) || w2 < -threshold)
        {
            throw NiftiThrowHelper.Invalid(file, "quatern_b/c/d", $"({b}, {c}, {d})", "a unit quaternion (b² + c² + d² ≤ 1)");
        }

        var a = w2 < 0 ? 0 : Math.Sqrt(w2);
        var r = QuaternionToMatrix(a, b, c, d);
        var zooms = Zooms(header, file);
        var qfac = header.PixDim[0] == -1 ? -1.0 : 1.0;
        var m = new double[4, 4];
        for (var row = 0; row < 3; row++)
        {
            m[row, 0] = r[row, 0] * zooms[0];
            m[row, 1] = r[row, 1] * zooms[1];
            m[row, 2] = r[row, 2] * zooms[2] * qfac;
            m[row, 3] = header.QOffset[row];
        }

        m[3, 3] = 1;
        return m;
    }

    /// <summary>
    /// Decomposes an affine into NIfTI qform parameters: quaternion (b, c, d), qfac and voxel sizes. Shears are
    /// dropped (the closest rotation is used), as nibabel's <c>set_qform(strip_shears=True)</c>.
    /// </summary>
    /// <param name="affine">A 4×4 voxel → RAS+ affine.</param>
    /// <returns>The quaternion parameters, qfac and zooms.</returns>
    public static (double B, double C, double D, double Qfac, double[] Zooms) ToQuaternion(double[,] affine)
    {
        ArgumentNullException.ThrowIfNull(affine);
        var zooms = new double[3];
        var rm = new double[3, 3];
        for (var c = 0; c < 3; c++)
        {
            zooms[c] = Math.Sqrt((affine[0, c] * affine[0, c]) + (affine[1, c] * affine[1, c]) + (affine[2, c] * affine[2, c]));
            for (var r = 0; r < 3; r++)
            {
                rm[r, c] = affine[r, c] / zooms[c];
            }
        }

        var qfac = 1.0;
        if (Matrix3.Determinant(rm) < 0)
        {
            qfac = -1;
            for (var r = 0; r < 3; r++)
            {
                rm[r, 2] = -rm[r, 2];
            }
        }

        var q = Matrix3.OrthogonalPolar(rm);

        // Shepperd: quaternion (w, x, y, z) of a proper rotation, w ≥ 0.
        double w, x, y, z;
        var trace = q[0, 0] + q[1, 1] + q[2, 2];
        if (trace > 0)
        {
            var s = Math.Sqrt(trace + 1.0) * 2;
            w = 0.25 * s;
            x = (q[2, 1] - q[1, 2]) / s;
            y = (q[0, 2] - q[2, 0]) / s;
            z = (q[1, 0] - q[0, 1]) / s;
        }
        else if (q[0, 0] > q[1, 1] && q[0, 0] > q[2, 2])
        {
            var s = Math.Sqrt(1.0 + q[0, 0] - q[1, 1] - q[2, 2]) * 2;
            w = (q[2, 1] - q[1, 2]) / s;
            x = 0.25 * s;
            y = (q[0, 1] + q[1, 0]) / s;
            z = (q[0, 2] + q[2, 0]) / s;
        }
        else if (q[1, 1] > q[2, 2])
        {
            var s = Math.Sqrt(1.0 + q[1, 1] - q[0, 0] - q[2, 2]) * 2;
            w = (q[0, 2] - q[2, 0]) / s;
            x = (q[0, 1] + q[1, 0]) / s;
            y = 0.25 * s;
            z = (q[1, 2] + q[2, 1]) / s;
        }
        else
        {
            var s = Math.Sqrt(1.0 + q[2, 2] - q[0, 0] - q[1, 1]) * 2;
            w = (q[1, 0] - q[0, 1]) / s;
            x = (q[0, 2] + q[2, 0]) / s;
            y = (q[1, 2] + q[2, 1]) / s;
            z = 0.25 * s;
        }

        if (w < 0)
        {
            x = -x;
            y = -y;
            z = -z;
        }

        return (x, y, z, qfac, zooms);
    }

    private static double[,] QuaternionToMatrix(double w, double x, double y, double z)
    {
        var n = (w * w) + (x * x) + (y * y) + (z * z);
        var m = new double[3, 3];
        if (n < 2.220446049250313e-16)
        {
            m[0, 0] = m[1, 1] = m[2, 2] = 1;
            return m;
        }

        var s = 2.0 / n;
        double xs = x * s, ys = y * s, zs = z * s;
        double wx = w * xs, wy = w * ys, wz = w * zs;
        double xx = x * xs, xy = x * ys, xz = x * zs;
        double yy = y * ys, yz = y * zs, zz = z * zs;
        m[0, 0] = 1 - (yy + zz);
        m[0, 1] = xy - wz;
        m[0, 2] = xz + wy;
        m[1, 0] = xy + wz;
        m[1, 1] = 1 - (xx + zz);
        m[1, 2] = yz - wx;
        m[2, 0] = xz - wy;
        m[2, 1] = yz + wx;
        m[2, 2] = 1 - (xx + yy);
        return m;
    }

    private static double[] Zooms(NiftiHeader header, string file)
    {
        var z = new double[3];
        for (var i = 0; i < 3; i++)
        {
            z[i] = i < header.Dim[0] ? header.PixDim[i + 1] : 1;
            if (!(z[i] > 0) || !double.IsFinite(z[i]))
            {
                throw NiftiThrowHelper.Invalid(file, $"pixdim[{i + 1}]", z[i], "a positive finite voxel size (mm)");
            }
        }

        return z;
    }

    private static void Check(double[,] a, string file, string field)
    {
        foreach (var v in a)
        {
            if (!double.IsFinite(v))
            {
                throw NiftiThrowHelper.Invalid(file, field, "a non-finite entry", "finite values");
            }
        }

        if (Math.Abs(Matrix3.Determinant(a)) < 1e-12)
        {
            throw NiftiThrowHelper.Invalid(file, field, "a singular matrix", "an invertible 3×3 part (non-zero spacing)");
        }
    }
}
