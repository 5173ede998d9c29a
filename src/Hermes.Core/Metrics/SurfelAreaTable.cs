using Hermes.Volumes;

namespace Hermes.Metrics;

/// <summary>
/// Surface-element (surfel) areas of the 256 neighbourhood codes of a 2×2×2 voxel cube, for a given spacing.
/// </summary>
/// <remarks>
/// <para>
/// Code convention (as in DeepMind's surface-distance): the corner at offset (dz, dy, dx) ∈ {0, 1}³ contributes the bit
/// <c>1 &lt;&lt; (7 − (4·dz + 2·dy + dx))</c>, i.e. weights 128, 64, …, 1 over the corners in (z, y, x) row-major order.
/// </para>
/// <para>
/// Construction (derived here, at start-up): a marching-cubes surface through the midpoints of the cube edges whose two
/// corners differ. On every cube face the cut edges are joined by segments; on an ambiguous face (two diagonal corners
/// inside, two outside) each foreground corner is cut off on its own, a rule applied identically on both cubes sharing
/// the face, so the assembled surface is closed (no marching-cubes holes). The segments of one cube form closed loops;
/// each loop contributes its vector area ½ Σ pᵢ × pᵢ₊₁ in index units. For spacing s the loop's physical area is the
/// norm of the cofactor-scaled vector (n_z·s_y·s_x, n_y·s_z·s_x, n_x·s_z·s_y), which is exact for the anisotropic
/// linear map. For planar loops (all codes whose loops are triangles or face-parallel/45° quads, which include every
/// code of a flat or axis-aligned boundary) this equals the sum of the marching-cubes triangle areas; for the few
/// non-planar loops (hexagons, skew quads) it is their projected (vector) area, independent of how the loop is
/// triangulated.
/// </para>
/// </remarks>
internal static class SurfelAreaTable
{
    /// <summary>Loop vector areas per code, in index units, components (z, y, x).</summary>
    private static readonly (double Z, double Y, double X)[][] LoopAreaVectors = BuildLoopAreaVectors();

    /// <summary>Number of closed surface loops of a code (0 for codes 0 and 255).</summary>
    public static int LoopCount(int code) => LoopAreaVectors[code].Length;

    /// <summary>Loop vector areas of a code in index units, (z, y, x) components.</summary>
    public static IReadOnlyList<(double Z, double Y, double X)> LoopVectors(int code) => LoopAreaVectors[code];

    /// <summary>The 256 surfel areas in mm² for a spacing.</summary>
    public static double[] Areas(VoxelSpacing spacing)
    {
        var areas = new double[256];
        var syx = spacing.Y * spacing.X;
        var szx = spacing.Z * spacing.X;
        var szy = spacing.Z * spacing.Y;
        for (var code = 0; code < 256; code++)
        {
            double sum = 0;
            foreach (var (z, y, x) in LoopAreaVectors[code])
            {
                var a = z * syx;
                var b = y * szx;
                var c = x * szy;
                sum += Math.Sqrt((a * a) + (b * b) + (c * c));
            }

            areas[code] = sum;
        }

        return areas;
    }

    /// <summary>The bit of the corner at offset (dz, dy, dx).</summary>
    public static int CornerBit(int dz, int dy, int dx) => 1 << (7 - ((4 * dz) + (2 * dy) + dx));

    private static (double, double, double)[][] BuildLoopAreaVectors()
    {
        // Corner index c = 4·dz + 2·dy + dx; edges join corners that differ in one bit.
        var edgeIndex = new int[8, 8];
        var edgeMid = new List<(double Z, double Y, double X)>();
        for (var a = 0; a < 8; a++)
        {
            for (var bit = 0; bit < 3; bit++)
            {
                var b = a ^ (1 << bit);
                if (b > a)
                {
                    edgeIndex[a, b] = edgeIndex[b, a] = edgeMid.Count;
                    edgeMid.Add((((a >> 2) + (b >> 2)) / 2.0, (((a >> 1) & 1) + ((b >> 1) & 1)) / 2.0, ((a & 1) + (b & 1)) / 2.0));
                }
            }
        }

        // Faces: fix one axis at 0 or 1; the four corners in cyclic order over the other two axes.
        var faces = new List<int[]>();
        for (var axis = 0; axis < 3; axis++)
        {
            var others = Enumerable.Range(0, 3).Where(a => a != axis).ToArray();
            for (var v = 0; v < 2; v++)
            {
                var cyc = new[] { (0, 0), (0, 1), (1, 1), (1, 0) };
                faces.Add(cyc.Select(uw =>
                {
                    var coords = new int[3];
                    coords[axis] = v;
                    coords[others[0]] = uw.Item1;
                    coords[others[1]] = uw.Item2;
                    return (4 * coords[0]) + (2 * coords[1]) + coords[2];
                }).ToArray());
            }
        }

        var table = new (double, double, double)[256][];
        for (var code = 0; code < 256; code++)
        {
            bool Inside(int corner) => (code & (1 << (7 - corner))) != 0;
            var neighbours = new List<int>[12];
            for (var e = 0; e < 12; e++)
            {
                neighbours[e] = [];
            }

            foreach (var f in faces)
            {
                var cut = new List<int>();
                for (var i = 0; i < 4; i++)
                {
                    if (Inside(f[i]) != Inside(f[(i + 1) % 4]))
                    {
                        cut.Add(i);
                    }
                }

                if (cut.Count == 2)
                {
                    Link(neighbours, edgeIndex[f[cut[0]], f[(cut[0] + 1) % 4]], edgeIndex[f[cut[1]], f[(cut[1] + 1) % 4]]);
                }
                else if (cut.Count == 4)
                {
                    // Ambiguous face: cut off each foreground corner (edges i−1 and i meet at corner i).
                    for (var i = 0; i < 4; i++)
                    {
                        if (Inside(f[i]))
                        {
                            Link(neighbours, edgeIndex[f[(i + 3) % 4], f[i]], edgeIndex[f[i], f[(i + 1) % 4]]);
                        }
                    }
                }
            }

            var loops = new List<(double, double, double)>();
            var visited = new bool[12];
            for (var start = 0; start < 12; start++)
            {
                if (visited[start] || neighbours[start].Count == 0)
                {
                    continue;
                }

                if (neighbours[start].Count != 2)
                {
                    throw new InvalidOperationException($"Surfel construction: edge {start} of code {code} has {neighbours[start].Count} segments.");
                }

                double nz = 0, ny = 0, nx = 0;
                int previous = -1, current = start;
                do
                {
                    visited[current] = true;
                    var next = neighbours[current][0] != previous ? neighbours[current][0] : neighbours[current][1];
                    var p = edgeMid[current];
                    var q = edgeMid[next];
                    nz += 0.5 * ((p.Y * q.X) - (p.X * q.Y));
                    ny += 0.5 * ((p.X * q.Z) - (p.Z * q.X));
                    nx += 0.5 * ((p.Z * q.Y) - (p.Y * q.Z));
                    previous = current;
                    current = next;
                }
                while (current != start);
                loops.Add((nz, ny, nx));
            }

            table[code] = [.. loops];
        }

        return table;
    }

    private static void Link(List<int>[] neighbours, int a, int b)
    {
        neighbours[a].Add(b);
        neighbours[b].Add(a);
    }
}
