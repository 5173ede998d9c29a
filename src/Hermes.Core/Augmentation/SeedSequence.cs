namespace Hermes.Augmentation;

/// <summary>
/// Derives independent, reproducible seeds for each random component from one run seed (SplitMix64 mixing), so that
/// batch <c>n</c> is the same whichever thread builds it and whenever a run is resumed.
/// </summary>
public static class SeedSequence
{
    /// <summary>Mixes a seed with any number of stream/index words into a new 64-bit seed.</summary>
    /// <param name="seed">The run seed.</param>
    /// <param name="words">Stream identifiers and indices.</param>
    /// <returns>The derived seed.</returns>
    public static ulong Derive(ulong seed, params ReadOnlySpan<long> words)
    {
        var s = Mix(seed ^ 0x9E3779B97F4A7C15UL);
        foreach (var w in words)
        {
            s = Mix(s ^ Mix((ulong)w + 0x632BE59BD9B4E019UL));
        }

        return s;
    }

    /// <summary>A <see cref="Random"/> seeded from a derived seed.</summary>
    /// <param name="seed">The run seed.</param>
    /// <param name="words">Stream identifiers and indices.</param>
    /// <returns>A new generator.</returns>
    public static Random CreateRandom(ulong seed, params ReadOnlySpan<long> words) => new((int)(Derive(seed, words) & 0x7FFFFFFF));

    private static ulong Mix(ulong z)
    {
        z += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
