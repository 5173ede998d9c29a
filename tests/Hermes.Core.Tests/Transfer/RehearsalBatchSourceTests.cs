using System.Runtime.CompilerServices;
using Hermes.Data;
using Hermes.Training;
using Hermes.Transfer;
using static TorchSharp.torch;

namespace Hermes.Core.Tests.Transfer;

/// <summary>
/// <see cref="RehearsalBatchSource"/>: the requested share of batches (and samples) comes from the earlier data, each
/// source is read in its own order, the mix is a pure function of (seed, step), and invalid fractions, weights and
/// sources fail with messages that say what is wrong.
/// </summary>
public sealed class RehearsalBatchSourceTests
{
    private const int SamplesPerBatch = 2;

    [Theory]
    [InlineData(0.0)]
    [InlineData(0.1)]
    [InlineData(0.25)]
    [InlineData(0.5)]
    [InlineData(0.9)]
    public async Task TheRequestedFractionOfSamplesComesFromTheEarlierData(double fraction)
    {
        const int steps = 4000;
        var mix = RehearsalBatchSource.Mix(new TaggedSource(0), new TaggedSource(1), fraction, seed: 7);
        var samples = new long[2];
        var next = new long[2]; // the local index each source must supply next
        await foreach (var (source, local, size) in Read(mix, 0, steps))
        {
            Assert.Equal(next[source]++, local); // each source is read in order, from its own step 0
            samples[source] += size;
        }

        var share = (double)samples[1] / (samples[0] + samples[1]);
        Assert.Equal((long)steps * SamplesPerBatch, samples[0] + samples[1]);
        if (fraction == 0)
        {
            Assert.Equal(0L, samples[1]);
        }
        else
        {
            // Binomial standard deviation at n = 4000 is at most 0.0079; 0.03 is about four of them.
            Assert.InRange(share, fraction - 0.03, fraction + 0.03);
        }
    }

    [Fact]
    public void WeightsSetTheSharesOfSeveralSources()
    {
        var mix = new RehearsalBatchSource([(new TaggedSource(0), 3.0), (new TaggedSource(1), 1.0), (new TaggedSource(2), 0.0), (new TaggedSource(3), 4.0)], seed: 3);
        var counts = new int[4];
        for (var k = 0L; k < 8000; k++)
        {
            counts[mix.SourceOf(k)]++;
        }

        Assert.InRange(counts[0] / 8000.0, 0.375 - 0.03, 0.375 + 0.03);
        Assert.InRange(counts[1] / 8000.0, 0.125 - 0.03, 0.125 + 0.03);
        Assert.Equal(0, counts[2]); // weight 0 is never drawn
        Assert.InRange(counts[3] / 8000.0, 0.5 - 0.03, 0.5 + 0.03);
    }

    [Fact]
    public async Task TheMixIsDeterministicUnderASeedAndResumesExactly()
    {
        static RehearsalBatchSource Mix(long seed) => RehearsalBatchSource.Mix(new TaggedSource(0), new TaggedSource(1), 0.3, seed);

        var first = Enumerable.Range(0, 1000).Select(k => Mix(11).SourceOf(k)).ToArray();
        var again = Enumerable.Range(0, 1000).Select(k => Mix(11).SourceOf(k)).ToArray();
        var other = Enumerable.Range(0, 1000).Select(k => Mix(12).SourceOf(k)).ToArray();
        Assert.Equal(first, again);
        Assert.True(first.Zip(other).Count(p => p.First != p.Second) > 200, "another seed gives another sequence");

        // A run resumed at step 600 reads exactly the batches (source and each source's own index) of the uninterrupted run.
        var whole = await ToListAsync(Read(Mix(11), 0, 1000));
        var resumed = await ToListAsync(Read(Mix(11), 600, 400));
        Assert.Equal(whole.Skip(600), resumed);
        Assert.Equal(first.Select(s => (long)s), whole.Select(b => b.Source));
    }

    [Theory]
    [InlineData(double.NaN)]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(1.5)]
    [InlineData(double.PositiveInfinity)]
    public void InvalidFractionsAreRejected(double fraction)
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => RehearsalBatchSource.Mix(new TaggedSource(0), new TaggedSource(1), fraction));
        Assert.Equal("rehearsalFraction", e.ParamName);
        Assert.Contains("must be in [0, 1)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingOrInvalidSourcesAreRejected()
    {
        var empty = Assert.Throws<ArgumentException>(() => new RehearsalBatchSource([]));
        Assert.Contains("at least one batch source", empty.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new RehearsalBatchSource([(null!, 1.0)]));
        Assert.Throws<ArgumentException>(() => new RehearsalBatchSource([(new TaggedSource(0), 0.0), (new TaggedSource(1), 0.0)]));
        Assert.Throws<ArgumentException>(() => new RehearsalBatchSource([(new TaggedSource(0), 1.0), (new TaggedSource(1), -1.0)]));
        Assert.Throws<ArgumentException>(() => new RehearsalBatchSource([(new TaggedSource(0), double.NaN)]));
        Assert.Throws<ArgumentNullException>(() => RehearsalBatchSource.Mix(null!, new TaggedSource(1), 0.2));
        Assert.Throws<ArgumentNullException>(() => RehearsalBatchSource.Mix(new TaggedSource(0), null!, 0.2));
    }

    [Fact]
    public async Task AnEmptySourceStopsTheMixWithAnError()
    {
        var mix = RehearsalBatchSource.Mix(new TaggedSource(0), new TaggedSource(1, length: 0), 0.5, seed: 5);
        var firstEarlier = Enumerable.Range(0, 100).First(k => mix.SourceOf(k) == 1);
        var read = 0;
        var e = await Assert.ThrowsAsync<InvalidOperationException>(async () =>
        {
            await foreach (var batch in mix.ReadAsync(0, CancellationToken.None))
            {
                batch.Dispose();
                read++;
            }
        });
        Assert.Equal(firstEarlier, read);
        Assert.Contains($"Batch source 1 of the rehearsal mix (weight 0.5) ended after 0 batches, at global step {firstEarlier}", e.Message, StringComparison.Ordinal);
    }

    private static async IAsyncEnumerable<(long Source, long Local, int Size)> Read(IBatchSource source, long firstStep, int count)
    {
        var n = 0;
        await foreach (var batch in source.ReadAsync(firstStep, CancellationToken.None))
        {
            using (batch)
            {
                yield return (batch.Modality[0].item<long>(), batch.TaskIndices[0, 0].item<long>(), batch.Size);
            }

            if (++n == count)
            {
                yield break;
            }
        }
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items)
        {
            list.Add(item);
        }

        return list;
    }

    /// <summary>Tiny batches tagged with the source (modality id) and the source's own step (task id).</summary>
    private sealed class TaggedSource(long tag, long length = long.MaxValue) : IBatchSource
    {
        public async IAsyncEnumerable<TrainingBatch> ReadAsync(long firstStep, [EnumeratorCancellation] CancellationToken cancellationToken)
        {
            for (var k = firstStep; k < length; k++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                yield return new TrainingBatch(
                    zeros([SamplesPerBatch, 1, 1, 1, 1]),
                    zeros([SamplesPerBatch, 1, 1, 1, 1], ScalarType.Int8),
                    full([SamplesPerBatch, 1], k, ScalarType.Int64),
                    full([SamplesPerBatch], tag, ScalarType.Int64));
            }

            await Task.CompletedTask.ConfigureAwait(false);
        }
    }
}
