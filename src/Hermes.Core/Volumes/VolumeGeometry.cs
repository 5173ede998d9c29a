using System.Globalization;

namespace Hermes.Volumes;

/// <summary>
/// The voxel grid of a volume: its shape and the 4×4 affine that maps a voxel index to RAS+ world coordinates (mm),
/// exactly as nibabel's <c>img.affine</c>.
/// </summary>
/// <remarks>
/// <para><b>Axis order convention (used everywhere in Hermes.NET).</b> A volume has file axes <c>i, j, k</c>: <c>i</c> varies
/// fastest in the file (NIfTI, NRRD and MetaImage store voxels this way; for DICOM <c>i</c> is the column, <c>j</c> the row,
/// <c>k</c> the slice). <see cref="Shape"/>, <see cref="Spacing"/> and the affine's columns are in file axis order
/// <c>(i, j, k)</c>. Tensors are row-major <c>[C, D, H, W]</c> with <c>D = k</c>, <c>H = j</c>, <c>W = i</c>, so the bytes of a
/// file map onto the tensor without a transpose, and voxel <c>(i, j, k)</c> of channel <c>c</c> is <c>data[c, k, j, i]</c>.</para>
/// <para><b>World.</b> RAS+: +x right, +y anterior, +z superior, in millimetres, as NIfTI and nibabel. ITK, DICOM, NRRD and
/// MetaImage usually speak LPS+; <see cref="LpsAffine"/> and <see cref="FromLps"/> convert (x and y change sign).</para>
/// <para>The affine maps voxel <em>centres</em>: index <c>(0, 0, 0)</c> is the centre of the first voxel.</para>
/// </remarks>
public sealed class VolumeGeometry
{
    private readonly double[,] affine;
    private readonly double[,] inverse;

    /// <summary>Creates a geometry from a shape and a voxel→RAS+ affine.</summary>
    /// <param name="sizeI">Voxels along <c>i</c> (W).</param>
    /// <param name="sizeJ">Voxels along <c>j</c> (H).</param>
    /// <param name="sizeK">Voxels along <c>k</c> (D).</param>
    /// <param name="affine">4×4 voxel-index → RAS+ matrix; the last row must be <c>0 0 0 1</c> and the 3×3 part invertible.</param>
    /// <exception cref="ArgumentException">A size is not positive, or the affine is not a finite invertible affine.</exception>
    public VolumeGeometry(int sizeI, int sizeJ, int sizeK, double[,] affine)
    {
        ArgumentNullException.ThrowIfNull(affine);
        if (sizeI <= 0 || sizeJ <= 0 || sizeK <= 0)
        {
            throw new ArgumentException($"Volume sizes must be positive; got {sizeI}×{sizeJ}×{sizeK}.", nameof(sizeI));
        }

        if (affine.GetLength(0) != 4 || affine.GetLength(1) != 4)
        {
            throw new ArgumentException("The affine must be 4×4.", nameof(affine));
        }

        this.affine = (double[,])affine.Clone();
        foreach (var v in this.affine)
        {
            if (!double.IsFinite(v))
            {
                throw new ArgumentException("The affine has a non-finite entry.", nameof(affine));
            }
        }

        this.affine[3, 0] = 0;
        this.affine[3, 1] = 0;
        this.affine[3, 2] = 0;
        this.affine[3, 3] = 1;
        var det = Matrix3.Determinant(this.affine);
        if (Math.Abs(det) < 1e-12)
        {
            throw new ArgumentException($"The affine is singular (det = {det.ToString("G6", CultureInfo.InvariantCulture)}): zero spacing or degenerate directions.", nameof(affine));
        }

        inverse = Matrix3.InvertAffine(this.affine);
        Shape = [sizeI, sizeJ, sizeK];
    }

    /// <summary>Voxels along <c>(i, j, k)</c> (file axis order; tensor <c>[W, H, D]</c>).</summary>
    public IReadOnlyList<int> Shape { get; }

    /// <summary>Number of voxels in one channel.</summary>
    public long VoxelCount => (long)Shape[0] * Shape[1] * Shape[2];

    /// <summary>A copy of the 4×4 voxel-index → RAS+ affine.</summary>
    public double[,] Affine => (double[,])affine.Clone();

    /// <summary>A copy of the 4×4 voxel-index → LPS+ affine (ITK, DICOM, NRRD, MetaImage): rows x and y negated.</summary>
    public double[,] LpsAffine
    {
        get
        {
            var a = Affine;
            for (var c = 0; c < 4; c++)
            {
                a[0, c] = -a[0, c];
                a[1, c] = -a[1, c];
            }

            return a;
        }
    }

    /// <summary>Voxel size in mm along <c>(i, j, k)</c>: the norms of the affine's first three columns.</summary>
    public IReadOnlyList<double> Spacing => [ColumnNorm(0), ColumnNorm(1), ColumnNorm(2)];

    /// <summary>RAS+ position (mm) of the centre of voxel <c>(0, 0, 0)</c>.</summary>
    public IReadOnlyList<double> Origin => [affine[0, 3], affine[1, 3], affine[2, 3]];

    /// <summary>
    /// 3×3 direction cosines in RAS+: column <c>a</c> is the unit world direction of file axis <c>a</c>
    /// (affine = direction · diag(spacing) in its 3×3 part).
    /// </summary>
    public double[,] Direction
    {
        get
        {
            var d = new double[3, 3];
            for (var c = 0; c < 3; c++)
            {
                var n = ColumnNorm(c);
                for (var r = 0; r < 3; r++)
                {
                    d[r, c] = affine[r, c] / n;
                }
            }

            return d;
        }
    }

    /// <summary>The orientation code (e.g. <c>RAS</c>, <c>LPS</c>, <c>PSR</c>): for each file axis the world direction it points to, by nibabel's <c>aff2axcodes</c> rule.</summary>
    public string OrientationCode => AxisOrientation.FromAffine(affine).Code;

    /// <summary>The per-axis orientation (world axis and sign for each file axis).</summary>
    public AxisOrientation Orientation => AxisOrientation.FromAffine(affine);

    /// <summary>Creates a geometry from spacing, origin and direction cosines given in RAS+.</summary>
    /// <param name="shape">Voxels along <c>(i, j, k)</c>.</param>
    /// <param name="spacing">Voxel size in mm along <c>(i, j, k)</c>; positive.</param>
    /// <param name="origin">World position of voxel (0,0,0); <see langword="null"/> for the world origin.</param>
    /// <param name="direction">3×3 direction cosines (column a = axis a); <see langword="null"/> for the identity.</param>
    /// <returns>The geometry.</returns>
    public static VolumeGeometry Create(IReadOnlyList<int> shape, IReadOnlyList<double> spacing, IReadOnlyList<double>? origin = null, double[,]? direction = null)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(spacing);
        if (shape.Count != 3 || spacing.Count != 3 || origin is { Count: not 3 })
        {
            throw new ArgumentException("Shape, spacing and origin need three values (i, j, k).");
        }

        for (var a = 0; a < 3; a++)
        {
            if (!(spacing[a] > 0) || !double.IsFinite(spacing[a]))
            {
                throw new ArgumentException($"Spacing must be positive and finite; axis {a} has {spacing[a]}.", nameof(spacing));
            }
        }

        var m = new double[4, 4];
        for (var c = 0; c < 3; c++)
        {
            for (var r = 0; r < 3; r++)
            {
                m[r, c] = (direction is null ? (r == c ? 1 : 0) : direction[r, c]) * spacing[c];
            }

            m[c, 3] = origin?[c] ?? 0;
        }

        m[3, 3] = 1;
        return new VolumeGeometry(shape[0], shape[1], shape[2], m);
    }

    /// <summary>Creates a geometry from a voxel → LPS+ affine (ITK/DICOM convention).</summary>
    /// <param name="shape">Voxels along <c>(i, j, k)</c>.</param>
    /// <param name="lpsAffine">4×4 voxel-index → LPS+ matrix.</param>
    /// <returns>The geometry (stored in RAS+).</returns>
    public static VolumeGeometry FromLps(IReadOnlyList<int> shape, double[,] lpsAffine)
    {
        ArgumentNullException.ThrowIfNull(shape);
        ArgumentNullException.ThrowIfNull(lpsAffine);
        var a = (double[,])lpsAffine.Clone();
        for (var c = 0; c < 4; c++)
        {
            a[0, c] = -a[0, c];
            a[1, c] = -a[1, c];
        }

        return new VolumeGeometry(shape[0], shape[1], shape[2], a);
    }

    /// <summary>World (RAS+, mm) position of a (possibly fractional) voxel index.</summary>
    /// <param name="i">Index along <c>i</c>.</param>
    /// <param name="j">Index along <c>j</c>.</param>
    /// <param name="k">Index along <c>k</c>.</param>
    /// <returns>The RAS+ point.</returns>
    public (double X, double Y, double Z) IndexToWorld(double i, double j, double k) => (
        (affine[0, 0] * i) + (affine[0, 1] * j) + (affine[0, 2] * k) + affine[0, 3],
        (affine[1, 0] * i) + (affine[1, 1] * j) + (affine[1, 2] * k) + affine[1, 3],
        (affine[2, 0] * i) + (affine[2, 1] * j) + (affine[2, 2] * k) + affine[2, 3]);

    /// <summary>Continuous voxel index of a world (RAS+, mm) point.</summary>
    /// <param name="x">RAS+ x.</param>
    /// <param name="y">RAS+ y.</param>
    /// <param name="z">RAS+ z.</param>
    /// <returns>The fractional index <c>(i, j, k)</c>.</returns>
    public (double I, double J, double K) WorldToIndex(double x, double y, double z) => (
        (inverse[0, 0] * x) + (inverse[0, 1] * y) + (inverse[0, 2] * z) + inverse[0, 3],
        (inverse[1, 0] * x) + (inverse[1, 1] * y) + (inverse[1, 2] * z) + inverse[1, 3],
        (inverse[2, 0] * x) + (inverse[2, 1] * y) + (inverse[2, 2] * z) + inverse[2, 3]);

    /// <summary>A copy of the 4×4 RAS+ → voxel-index matrix.</summary>
    public double[,] InverseAffine => (double[,])inverse.Clone();

    /// <summary>The same affine with another shape (e.g. after cropping at the far end).</summary>
    /// <param name="sizeI">Voxels along i.</param>
    /// <param name="sizeJ">Voxels along j.</param>
    /// <param name="sizeK">Voxels along k.</param>
    /// <returns>The new geometry.</returns>
    public VolumeGeometry WithShape(int sizeI, int sizeJ, int sizeK) => new(sizeI, sizeJ, sizeK, affine);

    /// <summary>Whether two geometries describe the same grid: same shape, affines equal within <paramref name="tolerance"/> mm.</summary>
    /// <param name="other">The other geometry.</param>
    /// <param name="tolerance">Largest allowed absolute difference of any affine entry.</param>
    /// <returns><see langword="true"/> when the grids match.</returns>
    public bool IsSameGrid(VolumeGeometry other, double tolerance = 1e-4)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (!Shape.SequenceEqual(other.Shape))
        {
            return false;
        }

        for (var r = 0; r < 3; r++)
        {
            for (var c = 0; c < 4; c++)
            {
                if (Math.Abs(affine[r, c] - other.affine[r, c]) > tolerance)
                {
                    return false;
                }
            }
        }

        return true;
    }

    /// <inheritdoc />
    public override string ToString()
    {
        var s = Spacing;
        var o = Origin;
        return string.Create(CultureInfo.InvariantCulture, $"{Shape[0]}×{Shape[1]}×{Shape[2]} @ {s[0]:G4}×{s[1]:G4}×{s[2]:G4} mm, origin ({o[0]:G6}, {o[1]:G6}, {o[2]:G6}), {OrientationCode}");
    }

    private double ColumnNorm(int c) => Math.Sqrt((affine[0, c] * affine[0, c]) + (affine[1, c] * affine[1, c]) + (affine[2, c] * affine[2, c]));
}
