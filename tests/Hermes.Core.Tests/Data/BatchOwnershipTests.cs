using Hermes.Core.Tests.IO;
using Hermes.Data;
using Hermes.Testing;
using Hermes.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Core.Tests.Data;

/// <summary>
/// A <see cref="TrainingBatch"/> owns its tensors: a batch built inside a caller's TorchSharp dispose scope — by
/// <see cref="TrainingBatchSource.GetBatch"/> on the calling thread, by the prefetcher on thread-pool threads, or by the
/// constructor from tensors made in the scope — keeps its values after the scope ends, its temporaries do not outlive
/// <see cref="TrainingBatchSource.GetBatch"/>, and disposing the batch frees its four tensors.
/// </summary>
public sealed class BatchOwnershipTests : IDisposable
{
    private static readonly TrainingBatchOptions Options = new() { BatchSize = 3, PatchSize = [8, 8, 8], ForegroundRatio = 0.5, Seed = 9 };
    private readonly TemporaryFolder folder = new();
    private readonly TaskCatalog catalog = SyntheticCases.Catalog();
    private readonly List<PreprocessedCase> cases = [];
    private readonly TrainingBatchSource source;

    public BatchOwnershipTests()
    {
        var cache = new PreprocessingCache(folder.File("cache"), catalog, SyntheticCases.Raw);
        cases.Add(cache.Open(SyntheticCases.WritePair(folder.Path, "a", "a0", SyntheticCases.Label(14, 12, 10, (z, y, x) => (x + y + z) % 3), 14, 12, 10)));
        cases.Add(cache.Open(SyntheticCases.WritePair(folder.Path, "b", "b0", SyntheticCases.Label(12, 12, 12, (z, y, x) => (x * z + y) % 4), 12, 12, 12)));
        source = new TrainingBatchSource(catalog, cases, Options);
    }

    public void Dispose()
    {
        cases.ForEach(c => c.Dispose());
        folder.Dispose();
    }

    [Fact]
    public void ABatchBuiltInsideACallersDisposeScopeOutlivesTheScope()
    {
        using var expected = source.GetBatch(4);
        TrainingBatch batch;
        Tensor probe;
        using (NewDisposeScope())
        {
            probe = zeros(1); // made in the same scope: freed with it
            batch = source.GetBatch(4);
        }

        using (batch)
        {
            Assert.True(probe.IsInvalid, "the scope did not dispose what it owns; the test proves nothing");
            AssertSame(expected, batch);
        }
    }

    [Fact]
    public void GetBatchLeavesOnlyTheBatchsFourTensorsAlive()
    {
        var before = DisposeScopeManager.Statistics.ThreadTotalLiveCount;
        var batch = source.GetBatch(2);
        Assert.Equal(before + 4, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
        batch.Dispose();
        Assert.Equal(before, DisposeScopeManager.Statistics.ThreadTotalLiveCount);
    }

    [Fact]
    public async Task BatchesPrefetchedOnPoolThreadsOutliveTheReadersDisposeScope()
    {
        var batches = new List<TrainingBatch>();
        try
        {
            using (NewDisposeScope())
            {
                await using var prefetcher = source.Prefetch(firstIndex: 5, capacity: 2);
                for (var i = 0; i < 3; i++)
                {
                    batches.Add(await prefetcher.NextAsync());
                }
            }

            using (NewDisposeScope())
            {
                await foreach (var batch in source.ReadAsync(8, CancellationToken.None))
                {
                    batches.Add(batch);
                    if (batches.Count == 5)
                    {
                        break;
                    }
                }
            }

            for (var i = 0; i < batches.Count; i++)
            {
                using var expected = source.GetBatch(5 + i);
                AssertSame(expected, batches[i]);
            }
        }
        finally
        {
            batches.ForEach(b => b.Dispose());
        }
    }

    [Fact]
    public void TheConstructorTakesTensorsOutOfTheirDisposeScope()
    {
        TrainingBatch batch;
        using (NewDisposeScope())
        {
            batch = new TrainingBatch(full([1, 1, 2, 2, 2], 3f), ones([1, 1, 2, 2, 2], ScalarType.Byte), zeros([1, 1], ScalarType.Int64), zeros([1], ScalarType.Int64));
        }

        using (batch)
        {
            batch.Validate();
            Assert.Equal(24f, batch.Image.sum().item<float>());
            Assert.Equal(8, batch.Labels.sum().item<long>());
        }
    }

    [Fact]
    public void DisposingTheBatchDisposesItsTensors()
    {
        var batch = source.GetBatch(1);
        Tensor[] tensors = [batch.Image, batch.Labels, batch.TaskIndices, batch.Modality];
        Assert.DoesNotContain(tensors, t => t.IsInvalid);
        batch.Dispose();
        Assert.All(tensors, t => Assert.True(t.IsInvalid));
    }

    private static void AssertSame(TrainingBatch expected, TrainingBatch actual)
    {
        Assert.False(actual.Image.IsInvalid || actual.Labels.IsInvalid || actual.TaskIndices.IsInvalid || actual.Modality.IsInvalid, "a tensor of the batch was freed");
        actual.Validate();
        Assert.True(TensorEquality.Same(expected.Image, actual.Image));
        Assert.True(TensorEquality.Same(expected.Labels, actual.Labels));
        Assert.True(TensorEquality.Same(expected.TaskIndices, actual.TaskIndices));
        Assert.True(TensorEquality.Same(expected.Modality, actual.Modality));
        using var foreground = actual.Labels.sum();
        Assert.True(foreground.item<long>() > 0, "an empty batch would compare equal to anything zeroed");
    }
}
