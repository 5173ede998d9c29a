
using Hermes.Volumes;

namespace Hermes.Inference;

/// <summary>
/// Connected components of the voxels of one value (foreground or background) found by union-find over runs: each
/// x-line is split into runs of equal voxels, and a run is joined with the runs of the already-visited neighbouring lines
/// it touches. Time O(voxels + runs·α), memory a few ints per run.
/// </summary>
internal sealed class RunComponents
{
    private RunComponents(int[] lineOffsets, int[] starts, int[] ends, int[] component, long[] sizes)
    {
        LineOffsets = lineOffsets;
        Starts = starts;
        Ends = ends;
        Component = component;
        Sizes = sizes;
    }

    /// <summary>Runs of line (z·H + y) are LineOffsets[line] … LineOffsets[line + 1] − 1.</summary>
    public int[] LineOffsets { get; }

    /// <summary>First x of each run.</summary>
    public int[] Starts { get; }

    /// <summary>Last x of each run (inclusive).</summary>
    public int[] Ends { get; }

    /// <summary>Component of each run, 0 … Count − 1, numbered in scan order of first appearance.</summary>
    public int[] Component { get; }

    /// <summary>Voxel count of each component.</summary>
    public long[] Sizes { get; }

    public int Count => Sizes.Length;

    public static RunComponents Find(ReadOnlySpan<byte> mask, MaskShape shape, Connectivity connectivity, bool foreground)
    {
        shape.Validate(mask.Length, nameof(mask));
        if (!Enum.IsDefined(connectivity))
        {
            throw new ArgumentOutOfRangeException(nameof(connectivity), connectivity, "Connectivity must be Faces (6), Edges (18) or Corners (26).");
        }

        var (d, h, w) = (shape.Depth, shape.Height, shape.Width);
        var lines = d * h;
        var lineOffsets = new int[lines + 1];
        var starts = new List<int>();
        var ends = new List<int>();
        for (var line = 0; line < lines; line++)
        {
            lineOffsets[line] = starts.Count;
            var row = mask.Slice(line * w, w);
            var x = 0;
            while (x < w)
            {
                var start = foreground ? row[x..].IndexOfAnyExcept((byte)0) : row[x..].IndexOf((byte)0);
                if (start < 0)
                {
                    break;
                }

                start += x;
                var length = foreground ? row[start..].IndexOf((byte)0) : row[start..].IndexOfAnyExcept((byte)0);
                var end = length < 0 ? w - 1 : start + length - 1;
                starts.Add(start);
                ends.Add(end);
                x = end + 1;
            }
        }

        lineOffsets[lines] = starts.Count;
        var s = starts.ToArray();
        var e = ends.ToArray();
        var parent = new int[s.Length];
        for (var i = 0; i < parent.Length; i++)
        {
            parent[i] = i;
        }

        // Already-visited neighbour lines (dz, dy) and how far in x a touching run may lie (0: overlap, 1: diagonal too).
        (int Dz, int Dy, int Reach)[] neighbours = connectivity switch
        {
            Connectivity.Faces => [(0, -1, 0), (-1, 0, 0)],
            Connectivity.Edges => [(0, -1, 1), (-1, 0, 1), (-1, -1, 0), (-1, 1, 0)],
            _ => [(0, -1, 1), (-1, -1, 1), (-1, 0, 1), (-1, 1, 1)],
        };

        for (var z = 0; z < d; z++)
        {
            for (var y = 0; y < h; y++)
            {
                var line = (z * h) + y;
                var (first, last) = (lineOffsets[line], lineOffsets[line + 1]);
                if (first == last)
                {
                    continue;
                }

                foreach (var (dz, dy, reach) in neighbours)
                {
                    var (nz, ny) = (z + dz, y + dy);
                    if (nz < 0 || ny < 0 || ny >= h)
                    {
                        continue;
                    }

                    var other = (nz * h) + ny;
                    var (j, otherLast) = (lineOffsets[other], lineOffsets[other + 1]);
                    for (var r = first; r < last && j < otherLast; r++)
                    {
                        var (lo, hi) = (s[r] - reach, e[r] + reach);
                        while (j < otherLast && e[j] < lo)
                        {
                            j++;
                        }

                        for (var k = j; k < otherLast && s[k] <= hi; k++)
                        {
                            Union(parent, r, k);
                        }
                    }
                }
            }
        }

        var component = new int[s.Length];
        var rootLabel = new int[s.Length];
        Array.Fill(rootLabel, -1);
        var sizes = new List<long>();
        for (var r = 0; r < s.Length; r++)
        {
            var root = Find(parent, r);
            if (rootLabel[root] < 0)
            {
                rootLabel[root] = sizes.Count;
                sizes.Add(0);
            }

            var c = rootLabel[root];
            component[r] = c;
            sizes[c] += e[r] - s[r] + 1;
        }

        return new RunComponents(lineOffsets, s, e, component, [.. sizes]);
    }

    /// <summary>Writes <paramref name="value"/> into every voxel of the runs whose component satisfies <paramref name="select"/>.</summary>
    public void Fill(Span<byte> mask, int width, Func<int, bool> select, byte value)
    {
        var chosen = new bool[Count];
        for (var c = 0; c < chosen.Length; c++)
        {
            chosen[c] = select(c);
        }

        for (var line = 0; line < LineOffsets.Length - 1; line++)
        {
            for (var r = LineOffsets[line]; r < LineOffsets[line + 1]; r++)
            {
                if (chosen[Component[r]])
                {
                    mask.Slice((line * width) + Starts[r], Ends[r] - Starts[r] + 1).Fill(value);
                }
            }
        }
    }

    private static int Find(int[] parent, int i)
    {
        while (parent[i] != i)
        {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }

        return i;
    }

    private static void Union(int[] parent, int a, int b)
    {
        var ra = Find(parent, a);
        var rb = Find(parent, b);
        if (ra < rb)
        {
            parent[rb] = ra;
        }
        else if (rb < ra)
        {
            parent[ra] = rb;
        }
    }
}
