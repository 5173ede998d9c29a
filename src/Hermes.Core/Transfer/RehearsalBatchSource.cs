using System.Globalization;
using System.Runtime.CompilerServices;
using Hermes.Data;
using Hermes.Training;

namespace Hermes.Transfer;

/// <summary>
/// A weighted mix of batch sources, for fine-tuning with rehearsal: each step's batch comes from one source, drawn with
/// probability proportional to its weight (for example the new dataset at weight 3 and the earlier datasets at weight 1,
/// so the model keeps seeing what it already knows).
/// </summary>
/// <remarks>
/// The choice for step k is a pure function of (seed, k), and each source is read in order from its own step counter
/// (the number of times it was chosen before), so a resumed run sees the same batches as an uninterrupted one whenever the
/// sources themselves are deterministic (see <see cref="IBatchSource"/>). Whole batches come from one source, so with
/// equal batch sizes the share of samples from a source is its share of batches.
/// </remarks>
/// <example>
/// A quarter of the batches from the earlier datasets, three quarters from the new one:
/// <code>
/// var source = RehearsalBatchSource.Mix(newDatasetSource, earlierDatasetsSource, rehearsalFraction: 0.25, seed: 7);
/// await trainer.RunAsync(source);
/// </code>
/// </example>
public sealed class RehearsalBatchSource : IBatchSource
{
    private readonly (IBatchSource Source, double Weight)[] sources;
    private readonly double[] cumulative;
    private readonly long seed;

    /// <summary>Creates the mix.</summary>
    /// <param name="sources">The sources and their weights (≥ 0, at least one &gt; 0).</param>
    /// <param name="seed">Seed of the per-step choice.</param>
    /// <exception cref="ArgumentException">No source, a null source, or a weight that is negative, not finite, or all weights 0.</exception>
    public RehearsalBatchSource(IReadOnlyList<(IBatchSource Source, double Weight)> sources, long seed = 0)
    {
        ArgumentNullException.ThrowIfNull(sources);
        if (sources.Count == 0 || sources.Any(s => s.Source is null || !double.IsFinite(s.Weight) || s.Weight < 0) ||
            sources.Sum(s => s.Weight) <= 0)
        {
            throw new ArgumentException("Give at least one batch source; weights must be finite, ≥ 0 and not all 0.", nameof(sources));
        }

        this.sources = [.. sources];
        var total = sources.Sum(s => s.Weight);
        var running = 0.0;
        cumulative = sources.Select(s => running += s.Weight / total).ToArray();
        this.seed = seed;
    }

    /// <summary>
    /// Mixes new data with rehearsal of earlier data: each step's batch comes from <paramref name="earlierData"/> with
    /// probability <paramref name="rehearsalFraction"/>, otherwise from <paramref name="newData"/>.
    /// </summary>
    /// <param name="newData">Batches of the new task(s) or dataset(s) (source index 0).</param>
    /// <param name="earlierData">Batches of the datasets the model was trained on before (source index 1).</param>
    /// <param name="rehearsalFraction">The expected share of batches from <paramref name="earlierData"/>, in [0, 1).</param>
    /// <param name="seed">Seed of the per-step choice.</param>
    /// <returns>The mix.</returns>
    /// <exception cref="ArgumentOutOfRangeException">The fraction is not a finite value in [0, 1).</exception>
    public static RehearsalBatchSource Mix(IBatchSource newData, IBatchSource earlierData, double rehearsalFraction, long seed = 0)
    {
        ArgumentNullException.ThrowIfNull(newData);
        ArgumentNullException.ThrowIfNull(earlierData);
        if (!(rehearsalFraction is >= 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(rehearsalFraction), rehearsalFraction,
                "The rehearsal fraction must be in [0, 1): the share of batches drawn from the earlier data (1 would never show the new data).");
        }

        return new RehearsalBatchSource([(newData, 1 - rehearsalFraction), (earlierData, rehearsalFraction)], seed);
    }

    /// <summary>The index of the source that supplies the batch of <paramref name="step"/>.</summary>
    /// <param name="step">The global step.</param>
    /// <returns>The source index.</returns>
    public int SourceOf(long step)
    {
        var u = (Mix(seed, step) >> 11) * (1.0 / (1UL << 53));
        for (var i = 0; i < cumulative.Length - 1; i++)
        {
            if (u < cumulative[i] && sources[i].Weight > 0)
            {
                return i;
            }
        }

        return Array.FindLastIndex(sources, s => s.Weight > 0);
    }

    /// <inheritdoc/>
    /// <exception cref="InvalidOperationException">A source ran out of batches (every source must supply as many as the run needs).</exception>
    public async IAsyncEnumerable<TrainingBatch> ReadAsync(long firstStep, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(firstStep);
        var local = new long[sources.Length];
        for (var k = 0L; k < firstStep; k++)
        {
            local[SourceOf(k)]++;
        }

        var readers = new IAsyncEnumerator<TrainingBatch>?[sources.Length];
        try
        {
            for (var k = firstStep; ; k++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var s = SourceOf(k);
                readers[s] ??= sources[s].Source.ReadAsync(local[s], cancellationToken).GetAsyncEnumerator(cancellationToken);
                if (!await readers[s]!.MoveNextAsync().ConfigureAwait(false))
                {
                    throw new InvalidOperationException(string.Create(CultureInfo.InvariantCulture,
                        $"Batch source {s} of the rehearsal mix (weight {sources[s].Weight}) ended after {local[s]} batches, at global step {k}; every source must supply as many batches as the run needs."));
                }

                local[s]++;
                yield return readers[s]!.Current;
            }
        }
        finally
        {
            foreach (var r in readers)
            {
                if (r is not null)
                {
                    await r.DisposeAsync().ConfigureAwait(false);
                }
            }
        }
    }

    private static ulong Mix(long seed, long k)
    {
        var z = unchecked(((ulong)seed * 0x9E3779B97F4A7C15UL) ^ ((ulong)k + 0x632BE59BD9B4E019UL));
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }
}
