using System.Runtime.CompilerServices;

namespace Hermes.Operations;

/// <summary>
/// The input layout of <see cref="WinogradBlockedConvolution"/>: every x row of one batch item split into its even and odd
/// voxels, with the channels of one (z, y) position next to each other — <c>[D, H, C, 2, L]</c>, L = W / 2 + 1, where
/// <c>[z, y, c, 0, k] = x[c, z, y, 2k − 1]</c> (even) and <c>[z, y, c, 1, k] = x[c, z, y, 2k]</c> (odd), zero outside the volume.
/// </summary>
/// <remarks>
/// With this layout a block of tiles reads, for every channel, the same 16 (z, y) rows at a constant stride of 2L floats:
/// a few long runs through memory instead of 16 runs per channel, which the hardware prefetchers follow. The four x taps of
/// a register of tiles are then four plain loads (even[tx], odd[tx], even[tx + 1], odd[tx + 1]).
/// </remarks>
[SkipLocalsInit]
internal static unsafe class WinogradRowSplit
{
    /// <summary>Writes the split rows of <paramref name="source"/> (<c>[C, D, H, W]</c>, W a multiple of 2 · lanes) to <paramref name="destination"/>.</summary>
    /// <param name="source">One batch item, contiguous.</param>
    /// <param name="destination">Room for <c>D · H · C · 2 · (W / 2 + 1)</c> floats.</param>
    /// <param name="channels">C.</param>
    /// <param name="depth">D.</param>
    /// <param name="height">H.</param>
    /// <param name="width">W.</param>
    /// <param name="threads">The degree of parallelism.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Split<TV, TLanes>(float* source, float* destination, long channels, long depth, long height, long width, int threads)
        where TV : unmanaged
        where TLanes : IWinogradLanes<TV>
    {
        long half = width / 2, rowLength = half + 1, rows = depth * height;
        nint from = (nint)source, to = (nint)destination; // pointers cannot be captured
        Parallel.For(0, rows, new ParallelOptions { MaxDegreeOfParallelism = threads }, zy => SplitRow<TV, TLanes>(
            (float*)from + (zy * width), (float*)to + (zy * channels * 2 * rowLength), channels, rows * width, half));
    }

    /// <summary>One (z, y) row position of every channel.</summary>
    /// <param name="row">Channel 0's row in the source; channel c's is <paramref name="channelStride"/> · c further.</param>
    /// <param name="target">Channel 0's split row pair; channel c's is 2 · (half + 1) · c further.</param>
    /// <param name="channels">C.</param>
    /// <param name="channelStride">D · H · W.</param>
    /// <param name="half">W / 2.</param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void SplitRow<TV, TLanes>(float* row, float* target, long channels, long channelStride, long half)
        where TV : unmanaged
        where TLanes : IWinogradLanes<TV>
    {
        long rowLength = half + 1;
        for (long c = 0; c < channels; c++, row += channelStride, target += 2 * rowLength)
        {
            float* even = target, odd = target + rowLength;
            even[0] = 0;
            odd[half] = 0;
            for (long k = 0; k < half; k += TLanes.Count)
            {
                TLanes.Deinterleave(TLanes.Load(row + (2 * k)), TLanes.Load(row + (2 * k) + TLanes.Count), out var evens, out var odds);
                TLanes.Store(evens, odd + k); // odd[k] = x[2k]
                TLanes.Store(odds, even + k + 1); // even[k + 1] = x[2k + 1]
            }
        }
    }
}
