namespace Hermes.Volumes;

/// <summary>Small dense 3×3 / 4×4 affine algebra in double precision (no allocation-heavy library needed).</summary>
internal static class Matrix3
{
    public static double Determinant(double[,] m) =>
        (m[0, 0] * ((m[1, 1] * m[2, 2]) - (m[1, 2] * m[2, 1])))
        - (m[0, 1] * ((m[1, 0] * m[2, 2]) - (m[1, 2] * m[2, 0])))
        + (m[0, 2] * ((m[1, 0] * m[2, 1]) - (m[1, 1] * m[2, 0])));

    /// <summary>Inverse of the 3×3 block of <paramref name="m"/> (any matrix at least 3×3).</summary>
    public static double[,] Invert3(double[,] m)
    {
        var det = Determinant(m);
        var r = new double[3, 3];
        r[0, 0] = ((m[1, 1] * m[2, 2]) - (m[1, 2] * m[2, 1])) / det;
        r[0, 1] = ((m[0, 2] * m[2, 1]) - (m[0, 1] * m[2, 2])) / det;
        r[0, 2] = ((m[0, 1] * m[1, 2]) - (m[0, 2] * m[1, 1])) / det;
        r[1, 0] = ((m[1, 2] * m[2, 0]) - (m[1, 0] * m[2, 2])) / det;
        r[1, 1] = ((m[0, 0] * m[2, 2]) - (m[0, 2] * m[2, 0])) / det;
        r[1, 2] = ((m[0, 2] * m[1, 0]) - (m[0, 0] * m[1, 2])) / det;
        r[2, 0] = ((m[1, 0] * m[2, 1]) - (m[1, 1] * m[2, 0])) / det;
        r[2, 1] = ((m[0, 1] * m[2, 0]) - (m[0, 0] * m[2, 1])) / det;
        r[2, 2] = ((m[0, 0] * m[1, 1]) - (m[0, 1] * m[1, 0])) / det;
        return r;
    }

    public static double[,] InvertAffine(double[,] a)
    {
        var r3 = Invert3(a);
        var inv = new double[4, 4];
        for (var r = 0; r < 3; r++)
        {
            double t = 0;
            for (var c = 0; c < 3; c++)
            {
                inv[r, c] = r3[r, c];
                t -= r3[r, c] * a[c, 3];
            }

            inv[r, 3] = t;
        }

        inv[3, 3] = 1;
        return inv;
    }

    public static double[,] Multiply4(double[,] a, double[,] b)
    {
        var r = new double[4, 4];
        for (var i = 0; i < 4; i++)
        {
            for (var j = 0; j < 4; j++)
            {
                double s = 0;
                for (var k = 0; k < 4; k++)
                {
                    s += a[i, k] * b[k, j];
                }

                r[i, j] = s;
            }
        }

        return r;
    }

    /// <summary>The orthogonal polar factor of a 3×3 matrix (= U·Vᵀ of its SVD), by Newton iteration.</summary>
    public static double[,] OrthogonalPolar(double[,] m)
    {
        var x = new double[3, 3];
        for (var r = 0; r < 3; r++)
        {
            for (var c = 0; c < 3; c++)
            {
                x[r, c] = m[r, c];
            }
        }

        for (var it = 0; it < 100; it++)
        {
            var inv = Invert3(x);
            double change = 0;
            var next = new double[3, 3];
            for (var r = 0; r < 3; r++)
            {
                for (var c = 0; c < 3; c++)
                {
                    next[r, c] = 0.5 * (x[r, c] + inv[c, r]);
                    change = Math.Max(change, Math.Abs(next[r, c] - x[r, c]));
                }
            }

            x = next;
            if (change < 1e-15)
            {
                break;
            }
        }

        return x;
    }
}
