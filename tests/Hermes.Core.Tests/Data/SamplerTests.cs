using Hermes.Core.Tests.IO;
using Hermes.Data;
using Hermes.Testing;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Core.Tests.Data;

public sealed class SamplerTests : IDisposable
{
    private readonly TemporaryFolder folder = new();
    private readonly TaskCatalog catalog = SyntheticCases.Catalog();
    private readonly List<PreprocessedCase> opened = [];

    public void Dispose()
    {
        foreach (var c in opened)
        {
            c.Dispose();
        }

        folder.Dispose();
    }

    [Fact]
    public void ForegroundRatioIsMetOver1000Draws()
    {
        // Two small blobs (values 1 and 2) in a 40³ volume: a random 12³ patch rarely touches them.
        var label = SyntheticCases.Label(40, 40, 40, (z, y, x) => x is 5 or 6 && y is 5 or 6 && z is 5 or 6 ? 1 : x is 30 or 31 && y is 30 or 31 && z is 30 or 31 ? 2 : 0);
        var c = Open(SyntheticCases.WritePair(folder.Path, "a", "blobs", label, 40, 40, 40));
        var sampler = new PatchSampler(0.33);
        var random = new Random(1234);
        int flagged = 0, containing = 0, onOne = 0;
        var size = new[] { 12, 12, 12 };
        var image = new float[12 * 12 * 12];
        var patch = new byte[12 * 12 * 12];
        for (var i = 0; i < 1000; i++)
        {
            var draw = sampler.Draw(c, size, random);
            c.ReadPatch(draw.Start, size, image, patch);
            if (draw.Foreground)
            {
                flagged++;
                onOne += draw.LabelValue == 1 ? 1 : 0;
                Assert.Contains((byte)draw.LabelValue, patch);
            }

            containing += patch.Any(v => v != 0) ? 1 : 0;
            Assert.All(draw.Start.Zip(new[] { 40, 40, 40 }), s => Assert.InRange(s.First, 0, s.Second - 12));
        }

        Assert.InRange(flagged / 1000.0, 0.28, 0.38);
        Assert.InRange(containing / 1000.0, 0.28, 0.40);
        Assert.InRange(onOne / (double)flagged, 0.40, 0.60); // balanced over the tasks present

        Assert.DoesNotContain(Enumerable.Range(0, 200).Select(_ => new PatchSampler(0).Draw(c, size, random)), d => d.Foreground);
        Assert.All(Enumerable.Range(0, 200).Select(_ => new PatchSampler(1).Draw(c, size, random)), d => Assert.True(d.Foreground));
    }

    [Fact]
    public void DatasetWeightsAreMetWithin5Percent()
    {
        var cases = new List<PreprocessedCase>();
        foreach (var (dataset, count) in new[] { ("a", 2), ("b", 1), ("c", 3) })
        {
            for (var i = 0; i < count; i++)
            {
                cases.Add(Open(SyntheticCases.WritePair(folder.Path, dataset, $"{dataset}{i}", SyntheticCases.Label(4, 4, 4, (z, y, x) => 1), 4, 4, 4)));
            }
        }

        // Case weight = dataset weight (a 1, b 2, c 1): shares a 2/7, b 2/7, c 3/7.
        var source = new TrainingBatchSource(catalog, cases, new TrainingBatchOptions { BatchSize = 4, PatchSize = [4, 4, 4], Seed = 99 });
        var draws = Enumerable.Range(0, 250).SelectMany(i => source.CasesOf(i)).Select(n => n.Split('/')[0]).ToList();
        Assert.Equal(1000, draws.Count);
        Assert.InRange(draws.Count(d => d == "a") / 1000.0, (2 / 7.0) - 0.05, (2 / 7.0) + 0.05);
        Assert.InRange(draws.Count(d => d == "b") / 1000.0, (2 / 7.0) - 0.05, (2 / 7.0) + 0.05);
        Assert.InRange(draws.Count(d => d == "c") / 1000.0, (3 / 7.0) - 0.05, (3 / 7.0) + 0.05);
        Assert.Equal(2 / 7.0, source.CaseProbabilities.Take(2).Sum(), 12);
    }

    [Fact]
    public void MixedBatchesCarryTaskListsPaddedWithTheNullToken()
    {
        var cases = new List<PreprocessedCase>
        {
            Open(SyntheticCases.WritePair(folder.Path, "a", "a0", SyntheticCases.Label(10, 9, 8, (z, y, x) => (x + y + z) % 3), 10, 9, 8)),
            Open(SyntheticCases.WritePair(folder.Path, "b", "b0", SyntheticCases.Label(10, 9, 8, (z, y, x) => (x + (2 * y) + z) % 4), 10, 9, 8)),
            Open(SyntheticCases.WritePair(folder.Path, "c", "c0", SyntheticCases.Label(6, 5, 4, (z, y, x) => x % 2), 6, 5, 4)), // smaller than the patch: padded
        };
        var source = new TrainingBatchSource(catalog, cases, new TrainingBatchOptions { BatchSize = 5, PatchSize = [8, 8, 8], ForegroundRatio = 0.5, Seed = 3 });
        var sawMixed = false;
        for (long i = 0; i < 12; i++)
        {
            var names = source.CasesOf(i).Select(n => n.Split('/')[0]).ToArray();
            using var batch = source.GetBatch(i);
            batch.Validate();
            var longest = names.Max(n => catalog[n].Labels.Count);
            Assert.Equal([5L, longest + 1], batch.TaskIndices.shape);
            Assert.Equal([5L, longest + 1, 8, 8, 8], batch.Labels.shape);
            Assert.Equal([5L, 1, 8, 8, 8], batch.Image.shape);
            Assert.Equal(ScalarType.Byte, batch.Labels.dtype);
            sawMixed |= names.Distinct().Count() > 1 && names.Contains("c") && names.Contains("b");
            var tasks = batch.TaskIndices.data<long>().ToArray();
            var modality = batch.Modality.data<long>().ToArray();
            for (var b = 0; b < 5; b++)
            {
                var ids = catalog.TaskIds(names[b]);
                var row = tasks.Skip(b * (longest + 1)).Take(longest + 1).ToArray();
                Assert.Equal(ids.Concat(Enumerable.Repeat(-1L, longest + 1 - ids.Length)), row);
                Assert.Equal(catalog.ModalityId(names[b]), modality[b]);
                using var img = batch.Image[b, 0];
                for (var t = 0; t <= longest; t++)
                {
                    using var mask = batch.Labels[b, t];
                    if (t < ids.Length)
                    {
                        // The image holds 10 × the local label, so the mask must equal (image == 10·value).
                        var value = catalog[names[b]].Labels[t].Value;
                        using var expected = img.eq(10f * value).to(ScalarType.Byte);
                        Assert.True(TensorEquality.Same(expected, mask), $"batch {i}, sample {b} ({names[b]}), task column {t}");
                    }
                    else
                    {
                        Assert.Equal(0, mask.sum().ToInt64());
                    }
                }
            }
        }

        Assert.True(sawMixed, "no batch mixed datasets with different task counts");
        Assert.Equal([0L, 1, 2, 3, 4, 5], catalog.TaskIds("a").Concat(catalog.TaskIds("b")).Concat(catalog.TaskIds("c")).Order().ToArray()[..6]);
    }

    [Fact]
    public void VolumesSmallerThanThePatchArePadded()
    {
        var label = SyntheticCases.Label(5, 4, 3, (z, y, x) => 1);
        var c = Open(SyntheticCases.WritePair(folder.Path, "c", "tiny", label, 5, 4, 3));
        var sampler = new PatchSampler(0.5);
        var random = new Random(5);
        var image = new float[8 * 8 * 8];
        var patch = new byte[8 * 8 * 8];
        var starts = new HashSet<string>();
        for (var i = 0; i < 200; i++)
        {
            var draw = sampler.Draw(c, [8, 8, 8], random);
            Assert.InRange(draw.Start[0], -5, 0);
            Assert.InRange(draw.Start[1], -4, 0);
            Assert.InRange(draw.Start[2], -3, 0);
            c.ReadPatch(draw.Start, [8, 8, 8], image, patch);
            Assert.Equal(60, patch.Count(v => v == 1)); // the whole volume is inside the patch
            Assert.Equal(60, image.Count(v => v == 10f));
            starts.Add(string.Join(",", draw.Start));
        }

        Assert.True(starts.Count > 20, "padding position does not vary");
    }

    [Fact]
    public async Task BatchesAreDeterministicUnderASeedAndPrefetchedInOrder()
    {
        var cases = new List<PreprocessedCase>
        {
            Open(SyntheticCases.WritePair(folder.Path, "a", "a0", SyntheticCases.Label(12, 11, 10, (z, y, x) => (x * y + z) % 3), 12, 11, 10)),
            Open(SyntheticCases.WritePair(folder.Path, "b", "b0", SyntheticCases.Label(12, 11, 10, (z, y, x) => (x + z * y) % 4), 12, 11, 10)),
        };
        var augmenter = new Hermes.Augmentation.BatchAugmenter(new Hermes.Augmentation.AugmentationOptions { IntensityProbabilityOverride = 0.5, MirrorProbability = 0.5 });
        var options = new TrainingBatchOptions { BatchSize = 3, PatchSize = [6, 6, 6], Seed = 42 };
        var source = new TrainingBatchSource(catalog, cases, options, augmenter);
        using var first = source.GetBatch(7);
        using var again = source.GetBatch(7);
        Assert.True(TensorEquality.Same(first.Image, again.Image));
        Assert.True(TensorEquality.Same(first.Labels, again.Labels));
        Assert.True(TensorEquality.Same(first.TaskIndices, again.TaskIndices));
        using var other = new TrainingBatchSource(catalog, cases, options with { Seed = 43 }, augmenter).GetBatch(7);
        Assert.False(TensorEquality.Same(first.Image, other.Image));

        // The background pipeline yields batches 3, 4, 5 … identical to direct calls.
        using var cts = new CancellationTokenSource();
        var step = 3L;
        await foreach (var batch in source.ReadAsync(3, cts.Token))
        {
            using (batch)
            {
                using var direct = source.GetBatch(step);
                Assert.True(TensorEquality.Same(direct.Image, batch.Image), $"step {step}");
                Assert.True(TensorEquality.Same(direct.Labels, batch.Labels), $"step {step}");
            }

            if (++step == 6)
            {
                break;
            }
        }

        // Cancellation stops the producer; disposal releases unread batches.
        var prefetcher = source.Prefetch(0, capacity: 2, cts.Token);
        using (var b0 = await prefetcher.NextAsync())
        {
            Assert.Equal(1, prefetcher.NextIndex);
        }

        await cts.CancelAsync();
        await prefetcher.DisposeAsync();
    }

    [Fact]
    public async Task ProducerFailureSurfacesAtTheNextRead()
    {
        var c = Open(SyntheticCases.WritePair(folder.Path, "a", "f", SyntheticCases.Label(6, 6, 6, (z, y, x) => 1), 6, 6, 6));
        var source = new TrainingBatchSource(catalog, [c], new TrainingBatchOptions { BatchSize = 1, PatchSize = [4, 4, 4] });
        c.Dispose(); // the mapping is gone: reading a patch fails
        await using var prefetcher = source.Prefetch();
        var ex = await Assert.ThrowsAsync<InvalidOperationException>(async () => await prefetcher.NextAsync());
        Assert.IsType<ObjectDisposedException>(ex.InnerException);
    }

    [SkippableFact]
    public void RealDatasetsOfTwoModalitiesMixInBatches()
    {
        var data = SharedAssets.RequireData();
        var real = new TaskCatalog();
        real.Vocabulary.AddModality("CT");
        real.Vocabulary.AddModality("T1-MRI");
        real.Add(new DatasetDeclaration { Name = "msd_hippocampus", Modalities = ["T1-MRI"], Labels = [new(1, "hippocampus/anterior"), new(2, "hippocampus/posterior")] });
        real.Add(new DatasetDeclaration { Name = "msd_spleen_crop", Modalities = ["CT"], Labels = [new(1, "spleen/spleen")], SampleWeight = 4 });
        var all = new ManifestSource(Path.Combine(data, "manifest.tsv"), "msd_hippocampus", "msd_spleen_crop").ListCases();
        var chosen = all.Where(c => c.Dataset == "msd_spleen_crop").Concat(all.Where(c => c.Dataset == "msd_hippocampus").Take(4)).ToList();
        var cache = new PreprocessingCache(folder.File("real"), real, new PreprocessingOptions());
        var cases = cache.OpenAll(chosen);
        opened.AddRange(cases);

        var plain = new TrainingBatchSource(real, cases, new TrainingBatchOptions { BatchSize = 4, PatchSize = [32, 32, 32], ForegroundRatio = 1, Seed = 5 });
        var datasets = new HashSet<string>();
        for (long i = 0; i < 4; i++)
        {
            var names = plain.CasesOf(i).Select(n => n.Split('/')[0]).ToArray();
            datasets.UnionWith(names);
            using var batch = plain.GetBatch(i);
            batch.Validate();
            var t = names.Max(n => real[n].Labels.Count) + 1;
            Assert.Equal(t, batch.TaskIndices.shape[1]);
            for (var b = 0; b < 4; b++)
            {
                using var masks = batch.Labels[b];
                Assert.True(masks.sum().ToInt64() > 0, $"foreground patch {i}/{b} ({names[b]}) has an empty mask");
                Assert.Equal(real.ModalityId(names[b]), batch.Modality[b].ToInt64());
            }
        }

        Assert.Equal(2, datasets.Count);
        var augmented = new TrainingBatchSource(real, cases, new TrainingBatchOptions { BatchSize = 2, PatchSize = [32, 32, 32], Seed = 5 }, new Hermes.Augmentation.BatchAugmenter(new Hermes.Augmentation.AugmentationOptions()));
        using var a = augmented.GetBatch(0);
        a.Validate();
        Assert.True(a.Image.isfinite().all().ToBoolean());
    }

    [Fact]
    public void InvalidOptionsAreRejected()
    {
        Assert.Throws<ArgumentException>(() => new TrainingBatchOptions { BatchSize = 0 }.Validate());
        Assert.Throws<ArgumentException>(() => new TrainingBatchOptions { PatchSize = [8, 8] }.Validate());
        Assert.Throws<ArgumentException>(() => new TrainingBatchOptions { ForegroundRatio = 1.5 }.Validate());
        Assert.Throws<ArgumentOutOfRangeException>(() => new PatchSampler(-0.1));
        Assert.Throws<ArgumentException>(() => new WeightedCaseSampler([0.0, 0.0]));

        // Zero-weight cases are never drawn.
        var sampler = new WeightedCaseSampler([0.0, 1.0, 0.0, 0.0, 3.0, 0.0]);
        var random = new Random(8);
        var counts = new int[6];
        for (var i = 0; i < 4000; i++)
        {
            counts[sampler.Next(random)]++;
        }

        Assert.Equal(0, counts[0] + counts[2] + counts[3] + counts[5]);
        Assert.InRange(counts[4] / 4000.0, 0.70, 0.80);
    }

    private PreprocessedCase Open(CaseReference reference)
    {
        var cache = new PreprocessingCache(folder.File("cache"), catalog, SyntheticCases.Raw);
        var c = cache.Open(reference);
        opened.Add(c);
        return c;
    }
}
