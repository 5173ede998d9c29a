
using Hermes.Volumes;

namespace Hermes.Inference;

/// <summary>
/// Connected-component operations on binary masks laid out as [D, H, W] (C order, non-zero = foreground), by union-find
/// over x-runs. The in-place operations write 0/1 only where they change a voxel.
/// </summary>
public static class ConnectedComponents
{
    /// <summary>Labels the foreground components: 0 = background, 1 … N in scan order of first voxel.</summary>
    /// <param name="mask">The mask.</param>
    /// <param name="shape">Its shape.</param>
    /// <param name="connectivity">The neighbourhood.</param>
    /// <param name="sizes">Voxel count of each component; <c>sizes[i]</c> is the size of label i + 1.</param>
    /// <returns>One label per voxel.</returns>
    public static int[] Label(ReadOnlySpan<byte> mask, MaskShape shape, Connectivity connectivity, out long[] sizes)
    {
        var components = RunComponents.Find(mask, shape, connectivity, foreground: true);
        var labels = new int[mask.Length];
        for (var line = 0; line < components.LineOffsets.Length - 1; line++)
        {
            for (var r = components.LineOffsets[line]; r < components.LineOffsets[line + 1]; r++)
            {
                labels.AsSpan((line * shape.Width) + components.Starts[r], components.Ends[r] - components.Starts[r] + 1).Fill(components.Component[r] + 1);
            }
        }

        sizes = components.Sizes;
        return labels;
    }

    /// <summary>Keeps only the largest foreground component (the first in scan order on a tie); an empty mask stays empty.</summary>
    /// <param name="mask">The mask, modified in place.</param>
    /// <param name="shape">Its shape.</param>
    /// <param name="connectivity">The neighbourhood.</param>
    /// <returns>The number of components before.</returns>
    public static int KeepLargest(Span<byte> mask, MaskShape shape, Connectivity connectivity)
    {
        var components = RunComponents.Find(mask, shape, connectivity, foreground: true);
        if (components.Count <= 1)
        {
            return components.Count;
        }

        var largest = 0;
        for (var c = 1; c < components.Count; c++)
        {
            if (components.Sizes[c] > components.Sizes[largest])
            {
                largest = c;
            }
        }

        components.Fill(mask, shape.Width, c => c != largest, 0);
        return components.Count;
    }

    /// <summary>Removes the foreground components with fewer than <paramref name="minimumVoxels"/> voxels.</summary>
    /// <param name="mask">The mask, modified in place.</param>
    /// <param name="shape">Its shape.</param>
    /// <param name="minimumVoxels">The smallest size kept.</param>
    /// <param name="connectivity">The neighbourhood.</param>
    /// <returns>The number of components removed.</returns>
    public static int RemoveSmall(Span<byte> mask, MaskShape shape, long minimumVoxels, Connectivity connectivity)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(minimumVoxels);
        var components = RunComponents.Find(mask, shape, connectivity, foreground: true);
        var removed = 0;
        foreach (var size in components.Sizes)
        {
            removed += size < minimumVoxels ? 1 : 0;
        }

        if (removed > 0)
        {
            components.Fill(mask, shape.Width, c => components.Sizes[c] < minimumVoxels, 0);
        }

        return removed;
    }

    /// <summary>
    /// Fills holes: background components (under <paramref name="backgroundConnectivity"/>) that do not touch the border
    /// of the array become foreground (value 1).
    /// </summary>
    /// <param name="mask">The mask, modified in place.</param>
    /// <param name="shape">Its shape.</param>
    /// <param name="backgroundConnectivity">
    /// Connectivity of the background; 6 (faces), the complement of a 26-connected foreground, fills the most conservatively
    /// (a cavity linked to the outside only through an edge or a corner stays open under 18/26).
    /// </param>
    /// <returns>The number of voxels filled.</returns>
    public static long FillHoles(Span<byte> mask, MaskShape shape, Connectivity backgroundConnectivity = Connectivity.Faces)
    {
        var background = RunComponents.Find(mask, shape, backgroundConnectivity, foreground: false);
        var touchesBorder = new bool[background.Count];
        for (var line = 0; line < background.LineOffsets.Length - 1; line++)
        {
            var (z, y) = (line / shape.Height, line % shape.Height);
            var borderLine = z == 0 || z == shape.Depth - 1 || y == 0 || y == shape.Height - 1;
            for (var r = background.LineOffsets[line]; r < background.LineOffsets[line + 1]; r++)
            {
                if (borderLine || background.Starts[r] == 0 || background.Ends[r] == shape.Width - 1)
                {
                    touchesBorder[background.Component[r]] = true;
                }
            }
        }

        long filled = 0;
        for (var c = 0; c < background.Count; c++)
        {
            filled += touchesBorder[c] ? 0 : background.Sizes[c];
        }

        if (filled > 0)
        {
            background.Fill(mask, shape.Width, c => !touchesBorder[c], 1);
        }

        return filled;
    }
}
