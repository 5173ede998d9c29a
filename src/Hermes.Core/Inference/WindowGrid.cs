namespace Hermes.Inference;

/// <summary>Window start positions along one axis.</summary>
public static class WindowGrid
{
    /// <summary>
    /// Starts of the windows along an axis of <paramref name="size"/> voxels: the fewest windows whose step does not
    /// exceed <c>window·(1 − overlap)</c>, spread evenly (rounded) from 0 to <c>size − window</c>, so every voxel is
    /// covered, the last window ends flush with the border and no start repeats. A size not larger than the window
    /// gives the single start 0 (the volume is padded up to the window).
    /// </summary>
    /// <param name="size">Axis length in voxels (≥ 1).</param>
    /// <param name="window">Window length in voxels (≥ 1).</param>
    /// <param name="overlap">Overlap fraction in [0, 1).</param>
    /// <returns>The ascending starts.</returns>
    public static int[] Starts(int size, int window, double overlap)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        if (!(overlap >= 0 && overlap < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(overlap), overlap, "Overlap must lie in [0, 1).");
        }

        if (size <= window)
        {
            return [0];
        }

        var targetStep = Math.Max(1.0, window * (1 - overlap));
        var count = (int)Math.Ceiling((size - window) / targetStep) + 1;
        var step = (double)(size - window) / (count - 1);
        var starts = new int[count];
        for (var i = 0; i < count; i++)
        {
            starts[i] = (int)Math.Round(i * step, MidpointRounding.AwayFromZero);
        }

        return starts;
    }

    /// <summary>
    /// The reference's window starts (§11): i·s for i &lt; ⌊size / s⌋ with s = max(1, ⌊window·(1 − overlap)⌋), each clamped to
    /// <c>size − window</c>, duplicates removed. A size not larger than the window gives the single start 0.
    /// </summary>
    /// <param name="size">Axis length in voxels (≥ 1).</param>
    /// <param name="window">Window length in voxels (≥ 1).</param>
    /// <param name="overlap">Overlap fraction in [0, 1).</param>
    /// <returns>The ascending distinct starts.</returns>
    public static int[] ReferenceStarts(int size, int window, double overlap)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(size, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(window, 1);
        if (!(overlap >= 0 && overlap < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(overlap), overlap, "Overlap must lie in [0, 1).");
        }

        if (size <= window)
        {
            return [0];
        }

        var step = Math.Max(1, (int)Math.Floor(window * (1 - overlap)));
        var starts = new SortedSet<int>();
        for (var i = 0; i < size / step; i++)
        {
            starts.Add(Math.Min(i * step, size - window));
        }

        return [.. starts];
    }

    /// <summary>The starts of a policy.</summary>
    /// <param name="policy">The policy.</param>
    /// <param name="size">Axis length in voxels.</param>
    /// <param name="window">Window length in voxels.</param>
    /// <param name="overlap">Overlap fraction in [0, 1).</param>
    /// <returns>The ascending starts.</returns>
    public static int[] Starts(WindowStartPolicy policy, int size, int window, double overlap) => policy switch
    {
        WindowStartPolicy.Even => Starts(size, window, overlap),
        WindowStartPolicy.Reference => ReferenceStarts(size, window, overlap),
        _ => throw new ArgumentOutOfRangeException(nameof(policy), policy, "Unknown window start policy."),
    };
}
