namespace Hermes.Volumes;

/// <summary>
/// For each file axis <c>(i, j, k)</c>: the RAS world axis it runs along (0 = x, 1 = y, 2 = z) and its sign.
/// Computed as nibabel's <c>io_orientation</c> / <c>aff2axcodes</c>: the closest orthogonal matrix to the normalised
/// direction cosines, then a greedy assignment of each file axis (in order) to its largest world component.
/// </summary>
public sealed class AxisOrientation
{
    private static readonly string[] Positive = ["R", "A", "S"];
    private static readonly string[] Negative = ["L", "P", "I"];

    private AxisOrientation(int[] worldAxis, int[] sign)
    {
        WorldAxis = worldAxis;
        Sign = sign;
    }

    /// <summary>The RAS world axis (0 = x, 1 = y, 2 = z) of each file axis.</summary>
    public IReadOnlyList<int> WorldAxis { get; }

    /// <summary>+1 when the file axis points to R/A/S, −1 when it points to L/P/I.</summary>
    public IReadOnlyList<int> Sign { get; }

    /// <summary>The three-letter code, the direction each file axis points <em>towards</em> (nibabel's convention: <c>RAS</c> means i increases to the right).</summary>
    public string Code => string.Concat(Enumerable.Range(0, 3).Select(a => Sign[a] > 0 ? Positive[WorldAxis[a]] : Negative[WorldAxis[a]]));

    /// <summary>Whether the file axes already are RAS+ (i → R, j → A, k → S).</summary>
    public bool IsCanonical => WorldAxis[0] == 0 && WorldAxis[1] == 1 && WorldAxis[2] == 2 && Sign.All(s => s > 0);

    /// <summary>Computes the orientation of a voxel → RAS+ affine.</summary>
    /// <param name="affine">A 4×4 (or 3×3) affine.</param>
    /// <returns>The orientation.</returns>
    public static AxisOrientation FromAffine(double[,] affine)
    {
        ArgumentNullException.ThrowIfNull(affine);
        var rs = new double[3, 3];
        for (var c = 0; c < 3; c++)
        {
            var n = Math.Sqrt((affine[0, c] * affine[0, c]) + (affine[1, c] * affine[1, c]) + (affine[2, c] * affine[2, c]));
            for (var r = 0; r < 3; r++)
            {
                rs[r, c] = n == 0 ? 0 : affine[r, c] / n;
            }
        }

        var q = Matrix3.OrthogonalPolar(rs);
        var world = new int[3];
        var sign = new int[3];
        for (var input = 0; input < 3; input++)
        {
            var best = 0;
            for (var r = 1; r < 3; r++)
            {
                if (Math.Abs(q[r, input]) > Math.Abs(q[best, input]))
                {
                    best = r;
                }
            }

            world[input] = best;
            sign[input] = q[best, input] < 0 ? -1 : 1;
            for (var c = 0; c < 3; c++)
            {
                q[best, c] = 0;
            }
        }

        return new AxisOrientation(world, sign);
    }

    /// <inheritdoc />
    public override string ToString() => Code;
}
