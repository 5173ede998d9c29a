using Hermes.Volumes;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Metrics;

/// <summary>
/// Surface-to-surface distances between a predicted and a reference mask in physical spacing, with surfel areas — the
/// method of DeepMind's surface-distance library: 2×2×2 neighbourhood codes, border elements (codes other than 0 and
/// 255), an exact anisotropic Euclidean distance transform, and area-weighted statistics (HD95, ASSD, NSD).
/// </summary>
/// <remarks>
/// <para>
/// Both masks are cropped to the bounding box of their union and padded by one voxel; each 2×2×2 cube of that grid is a
/// candidate surface element located at the cube centre. A border element's distance to the other surface is the
/// distance from its centre to the nearest border element of the other mask; its weight is its surfel area
/// (<see cref="SurfaceArea(VoxelSpacing, int)"/>).
/// </para>
/// <para>
/// Empty masks: a direction whose target surface is empty has distance +∞ for every element. See each statistic for the
/// convention when one or both masks are empty (docs/metrics.md tabulates them).
/// </para>
/// </remarks>
public sealed class SurfaceDistances
{
    private readonly double[] referenceToPrediction;
    private readonly double[] referenceAreas;
    private readonly double[] predictionToReference;
    private readonly double[] predictionAreas;

    private SurfaceDistances(double[] referenceToPrediction, double[] referenceAreas, double[] predictionToReference, double[] predictionAreas)
    {
        this.referenceToPrediction = referenceToPrediction;
        this.referenceAreas = referenceAreas;
        this.predictionToReference = predictionToReference;
        this.predictionAreas = predictionAreas;
        Array.Sort(this.referenceToPrediction, this.referenceAreas);
        Array.Sort(this.predictionToReference, this.predictionAreas);
        ReferenceSurfaceArea = Sum(referenceAreas);
        PredictionSurfaceArea = Sum(predictionAreas);
    }

    /// <summary>Total surfel area of the reference surface, mm².</summary>
    public double ReferenceSurfaceArea { get; }

    /// <summary>Total surfel area of the predicted surface, mm².</summary>
    public double PredictionSurfaceArea { get; }

    /// <summary>Whether the prediction has no foreground voxel.</summary>
    public bool PredictionEmpty => predictionAreas.Length == 0;

    /// <summary>Whether the reference has no foreground voxel.</summary>
    public bool ReferenceEmpty => referenceAreas.Length == 0;

    /// <summary>Distances (mm) from each reference surfel to the predicted surface, ascending; +∞ when the prediction is empty.</summary>
    public ReadOnlySpan<double> ReferenceToPredictionDistances => referenceToPrediction;

    /// <summary>Areas (mm²) of the reference surfels, in the order of <see cref="ReferenceToPredictionDistances"/>.</summary>
    public ReadOnlySpan<double> ReferenceSurfelAreas => referenceAreas;

    /// <summary>Distances (mm) from each predicted surfel to the reference surface, ascending; +∞ when the reference is empty.</summary>
    public ReadOnlySpan<double> PredictionToReferenceDistances => predictionToReference;

    /// <summary>Areas (mm²) of the predicted surfels, in the order of <see cref="PredictionToReferenceDistances"/>.</summary>
    public ReadOnlySpan<double> PredictionSurfelAreas => predictionAreas;

    /// <summary>Computes the surface distances of two masks laid out as [D, H, W] (non-zero = foreground).</summary>
    /// <param name="prediction">The predicted mask.</param>
    /// <param name="reference">The reference mask.</param>
    /// <param name="shape">The shape of both masks.</param>
    /// <param name="spacing">Voxel spacing in mm, array-axis order (z, y, x).</param>
    /// <returns>The distances and surfel areas.</returns>
    /// <exception cref="ArgumentException">A buffer does not match <paramref name="shape"/>, or the spacing is invalid.</exception>
    public static SurfaceDistances Compute(ReadOnlySpan<byte> prediction, ReadOnlySpan<byte> reference, MaskShape shape, VoxelSpacing spacing)
    {
        shape.Validate(prediction.Length, nameof(prediction));
        shape.Validate(reference.Length, nameof(reference));
        spacing.Validate();

        if (!TryUnionBounds(prediction, reference, shape, out var lo, out var hi))
        {
            return new SurfaceDistances([], [], [], []);
        }

        // Cube grid: cube c covers voxels c−1 … c (per axis) of the bounding box, c = 0 … extent; its centre is half a
        // voxel before voxel lo + c. Both masks use the same grid, so the offset cancels in every distance.
        var grid = new MaskShape(hi.Z - lo.Z + 2, hi.Y - lo.Y + 2, hi.X - lo.X + 2);
        var predictionCodes = NeighbourhoodCodes(prediction, shape, lo, grid);
        var referenceCodes = NeighbourhoodCodes(reference, shape, lo, grid);
        var areas = SurfelAreaTable.Areas(spacing);

        var predictionBorder = BorderMask(predictionCodes);
        var referenceBorder = BorderMask(referenceCodes);
        var toPrediction = EuclideanDistanceTransform.SquaredDistances(predictionBorder, grid, spacing);
        var (refDistances, refAreas) = Gather(referenceBorder, referenceCodes, toPrediction, areas);
        toPrediction = null;
        var toReference = EuclideanDistanceTransform.SquaredDistances(referenceBorder, grid, spacing);
        var (predDistances, predAreas) = Gather(predictionBorder, predictionCodes, toReference, areas);
        return new SurfaceDistances(refDistances, refAreas, predDistances, predAreas);
    }

    /// <summary>Computes the surface distances of two boolean masks laid out as [D, H, W].</summary>
    /// <param name="prediction">The predicted mask.</param>
    /// <param name="reference">The reference mask.</param>
    /// <param name="shape">The shape of both masks.</param>
    /// <param name="spacing">Voxel spacing in mm, array-axis order (z, y, x).</param>
    /// <returns>The distances and surfel areas.</returns>
    public static SurfaceDistances Compute(ReadOnlySpan<bool> prediction, ReadOnlySpan<bool> reference, MaskShape shape, VoxelSpacing spacing) =>
        Compute(System.Runtime.InteropServices.MemoryMarshal.AsBytes(prediction), System.Runtime.InteropServices.MemoryMarshal.AsBytes(reference), shape, spacing);

    /// <summary>Computes the surface distances of two [D, H, W] tensors (any dtype, non-zero = foreground, any device).</summary>
    /// <param name="prediction">The predicted mask, [D, H, W].</param>
    /// <param name="reference">The reference mask, [D, H, W].</param>
    /// <param name="spacing">Voxel spacing in mm, array-axis order (z, y, x).</param>
    /// <returns>The distances and surfel areas.</returns>
    public static SurfaceDistances Compute(Tensor prediction, Tensor reference, VoxelSpacing spacing)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        ArgumentNullException.ThrowIfNull(reference);
        if (prediction.dim() != 3 || !prediction.shape.SequenceEqual(reference.shape))
        {
            throw new ArgumentException($"Expected two [D, H, W] masks of equal shape; got [{string.Join(", ", prediction.shape)}] and [{string.Join(", ", reference.shape)}].", nameof(reference));
        }

        var shape = MaskShape.FromTensorShape(prediction.shape);
        return Compute(MaskBytes.From(prediction), MaskBytes.From(reference), shape, spacing);
    }

    /// <summary>Surfel area in mm² of a neighbourhood code (0–255) at a spacing.</summary>
    /// <param name="spacing">Voxel spacing in mm.</param>
    /// <param name="code">The 2×2×2 neighbourhood code; corner (dz, dy, dx) has weight 2^(7 − (4dz + 2dy + dx)).</param>
    /// <returns>The area.</returns>
    public static double SurfaceArea(VoxelSpacing spacing, int code)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(code);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(code, 255);
        spacing.Validate();
        return SurfelAreaTable.Areas(spacing)[code];
    }

    /// <summary>
    /// Robust Hausdorff distance: for each direction, the smallest surfel distance at which the area-weighted cumulative
    /// distribution reaches <paramref name="percentile"/> %; the larger of the two directions.
    /// Both masks empty → 0; exactly one empty → +∞.
    /// </summary>
    /// <param name="percentile">The percentile in (0, 100]; 95 for HD95, 100 for the Hausdorff distance.</param>
    /// <returns>The distance in mm.</returns>
    public double HausdorffDistance(double percentile = 95)
    {
        if (!(percentile > 0 && percentile <= 100))
        {
            throw new ArgumentOutOfRangeException(nameof(percentile), percentile, "The percentile must lie in (0, 100].");
        }

        if (PredictionEmpty && ReferenceEmpty)
        {
            return 0;
        }

        if (PredictionEmpty || ReferenceEmpty)
        {
            return double.PositiveInfinity;
        }

        return Math.Max(Percentile(referenceToPrediction, referenceAreas, ReferenceSurfaceArea, percentile), Percentile(predictionToReference, predictionAreas, PredictionSurfaceArea, percentile));
    }

    /// <summary>
    /// Area-weighted mean surface distances of each direction (reference→prediction, prediction→reference), mm.
    /// A direction is +∞ when its target mask is empty and its source is not, and NaN when its source is empty.
    /// </summary>
    /// <returns>The pair of directed averages.</returns>
    public (double ReferenceToPrediction, double PredictionToReference) AverageSurfaceDistances() =>
        (WeightedMean(referenceToPrediction, referenceAreas), WeightedMean(predictionToReference, predictionAreas));

    /// <summary>
    /// Average symmetric surface distance: the mean of the two directed area-weighted averages (as in the reference).
    /// Both masks empty → 0; exactly one empty → +∞.
    /// </summary>
    /// <returns>The distance in mm.</returns>
    public double AverageSymmetricSurfaceDistance()
    {
        if (PredictionEmpty && ReferenceEmpty)
        {
            return 0;
        }

        if (PredictionEmpty || ReferenceEmpty)
        {
            return double.PositiveInfinity;
        }

        var (a, b) = AverageSurfaceDistances();
        return 0.5 * (a + b);
    }

    /// <summary>
    /// Normalised surface Dice (surface Dice) at a tolerance: the surfel area of both surfaces lying within
    /// <paramref name="toleranceMm"/> of the other surface, divided by the total area of both.
    /// Both masks empty → 1; exactly one empty → 0.
    /// </summary>
    /// <param name="toleranceMm">The tolerance τ in mm (≥ 0).</param>
    /// <returns>The NSD in [0, 1].</returns>
    public double NormalizedSurfaceDice(double toleranceMm)
    {
        if (!(toleranceMm >= 0) || double.IsPositiveInfinity(toleranceMm))
        {
            throw new ArgumentOutOfRangeException(nameof(toleranceMm), toleranceMm, "The tolerance must be a finite number of mm ≥ 0.");
        }

        if (PredictionEmpty && ReferenceEmpty)
        {
            return 1;
        }

        var total = ReferenceSurfaceArea + PredictionSurfaceArea;
        var within = AreaWithin(referenceToPrediction, referenceAreas, toleranceMm) + AreaWithin(predictionToReference, predictionAreas, toleranceMm);
        return within / total;
    }

    private static double Percentile(double[] sortedDistances, double[] areas, double total, double percentile)
    {
        var target = percentile / 100.0;
        double cumulative = 0;
        for (var i = 0; i < sortedDistances.Length; i++)
        {
            cumulative += areas[i];
            if (cumulative / total >= target)
            {
                return sortedDistances[i];
            }
        }

        return sortedDistances[^1];
    }

    private static double AreaWithin(double[] sortedDistances, double[] areas, double tolerance)
    {
        double sum = 0;
        for (var i = 0; i < sortedDistances.Length && sortedDistances[i] <= tolerance; i++)
        {
            sum += areas[i];
        }

        return sum;
    }

    private static double WeightedMean(double[] distances, double[] areas)
    {
        if (distances.Length == 0)
        {
            return double.NaN;
        }

        double weighted = 0, total = 0;
        for (var i = 0; i < distances.Length; i++)
        {
            weighted += distances[i] * areas[i];
            total += areas[i];
        }

        return weighted / total;
    }

    private static double Sum(double[] values)
    {
        double s = 0;
        foreach (var v in values)
        {
            s += v;
        }

        return s;
    }

    private static bool TryUnionBounds(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, MaskShape shape, out (int Z, int Y, int X) lo, out (int Z, int Y, int X) hi)
    {
        int zlo = int.MaxValue, ylo = int.MaxValue, xlo = int.MaxValue, zhi = -1, yhi = -1, xhi = -1;
        var (h, w) = (shape.Height, shape.Width);
        for (var z = 0; z < shape.Depth; z++)
        {
            for (var y = 0; y < h; y++)
            {
                var offset = ((z * h) + y) * w;
                var rowA = a.Slice(offset, w);
                var rowB = b.Slice(offset, w);
                var first = FirstNonZero(rowA, rowB);
                if (first < 0)
                {
                    continue;
                }

                var last = LastNonZero(rowA, rowB);
                zlo = Math.Min(zlo, z);
                zhi = z;
                ylo = Math.Min(ylo, y);
                yhi = Math.Max(yhi, y);
                xlo = Math.Min(xlo, first);
                xhi = Math.Max(xhi, last);
            }
        }

        lo = (zlo, ylo, xlo);
        hi = (zhi, yhi, xhi);
        return zhi >= 0;
    }

    private static int FirstNonZero(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b)
    {
        var ia = a.IndexOfAnyExcept((byte)0);
        var ib = b.IndexOfAnyExcept((byte)0);
        return ia < 0 ? ib : ib < 0 ? ia : Math.Min(ia, ib);
    }

    private static int LastNonZero(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b) =>
        Math.Max(a.LastIndexOfAnyExcept((byte)0), b.LastIndexOfAnyExcept((byte)0));

    /// <summary>Neighbourhood codes on the cube grid of the bounding box starting at <paramref name="lo"/>.</summary>
    private static byte[] NeighbourhoodCodes(ReadOnlySpan<byte> mask, MaskShape shape, (int Z, int Y, int X) lo, MaskShape grid)
    {
        // Binary copy of the box padded by one zero voxel on each side: padded index p ↔ voxel lo + p − 1.
        var (pd, ph, pw) = (grid.Depth + 1, grid.Height + 1, grid.Width + 1);
        var padded = new byte[pd * ph * pw];
        for (var pz = 1; pz < pd - 1; pz++)
        {
            for (var py = 1; py < ph - 1; py++)
            {
                var src = mask.Slice((((lo.Z + pz - 1) * shape.Height) + lo.Y + py - 1) * shape.Width + lo.X, pw - 2);
                var dst = padded.AsSpan((((pz * ph) + py) * pw) + 1, pw - 2);
                for (var i = 0; i < src.Length; i++)
                {
                    dst[i] = src[i] != 0 ? (byte)1 : (byte)0;
                }
            }
        }

        // Cube c has corners at padded c … c + 1.
        var codes = new byte[grid.VoxelCount];
        Parallel.For(0, grid.Depth, cz =>
        {
            for (var cy = 0; cy < grid.Height; cy++)
            {
                var row00 = ((cz * ph) + cy) * pw;
                var row01 = row00 + pw;
                var row10 = row00 + (ph * pw);
                var row11 = row10 + pw;
                var outRow = ((cz * grid.Height) + cy) * grid.Width;
                for (var cx = 0; cx < grid.Width; cx++)
                {
                    codes[outRow + cx] = (byte)(
                        (padded[row00 + cx] << 7) | (padded[row00 + cx + 1] << 6) |
                        (padded[row01 + cx] << 5) | (padded[row01 + cx + 1] << 4) |
                        (padded[row10 + cx] << 3) | (padded[row10 + cx + 1] << 2) |
                        (padded[row11 + cx] << 1) | padded[row11 + cx + 1]);
                }
            }
        });
        return codes;
    }

    private static byte[] BorderMask(byte[] codes)
    {
        var border = new byte[codes.Length];
        for (var i = 0; i < codes.Length; i++)
        {
            border[i] = codes[i] is not 0 and not 255 ? (byte)1 : (byte)0;
        }

        return border;
    }

    private static (double[] Distances, double[] Areas) Gather(byte[] border, byte[] codes, double[] squaredDistanceMap, double[] areaTable)
    {
        var count = 0;
        foreach (var b in border)
        {
            count += b;
        }

        var distances = new double[count];
        var areas = new double[count];
        var j = 0;
        for (var i = 0; i < border.Length; i++)
        {
            if (border[i] != 0)
            {
                distances[j] = Math.Sqrt(squaredDistanceMap[i]);
                areas[j] = areaTable[codes[i]];
                j++;
            }
        }

        return (distances, areas);
    }
}
