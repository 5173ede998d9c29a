using System.Runtime.CompilerServices;
using Hermes.Training;
using static TorchSharp.torch;

namespace Hermes.Backbones.Tests.Extension;

/// <summary>
/// Synthetic CT-like 32³ patches with one organ each: organ A is a bright sphere near the centre, organ B a brighter cube
/// in the low corner. Each batch requests one task column plus one null column (−1); batch k is a function of (seed, k).
/// </summary>
internal sealed class OrganBatchSource(bool organB, long taskId, int seed, int batchSize = 2, int size = 32) : IBatchSource
{
    public async IAsyncEnumerable<TrainingBatch> ReadAsync(long firstStep, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var k = firstStep; ; k++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return Batch(k);
            await Task.Yield();
        }
    }

    public TrainingBatch Batch(long k)
    {
        var rng = new Random(unchecked((seed * 7919) + (int)k * 104729 + (organB ? 17 : 0)));
        using var generator = new Generator((ulong)((seed * 1_000_003L) + k + (organB ? 500_000_000L : 0)));
        using var scope = NewDisposeScope();
        var axis = arange(size, ScalarType.Float32);
        var g = meshgrid([axis, axis, axis], indexing: "ij");
        var images = new List<Tensor>();
        var labels = new List<Tensor>();
        for (var b = 0; b < batchSize; b++)
        {
            var image = randn([size, size, size], generator: generator).mul_(0.3f);
            Tensor mask;
            if (organB)
            {
                var (z, y, x) = (rng.Next(7, 12), rng.Next(7, 12), rng.Next(7, 12));
                var half = 3 + rng.Next(2);
                mask = g[0].sub(z).abs().le(half).logical_and(g[1].sub(y).abs().le(half)).logical_and(g[2].sub(x).abs().le(half));
                image.add_(mask.to_type(ScalarType.Float32).mul(2.5f));
            }
            else
            {
                var (z, y, x) = (rng.Next(14, 20), rng.Next(14, 20), rng.Next(14, 20));
                var r = 5 + rng.Next(3);
                mask = g[0].sub(z).square().add(g[1].sub(y).square()).add(g[2].sub(x).square()).le(r * r);
                image.add_(mask.to_type(ScalarType.Float32).mul(1.5f));
            }

            images.Add(image.unsqueeze(0));
            labels.Add(stack([mask.to_type(ScalarType.Int8), zeros([size, size, size], ScalarType.Int8)]));
        }

        var tasks = new long[batchSize * 2];
        for (var b = 0; b < batchSize; b++)
        {
            tasks[2 * b] = taskId;
            tasks[(2 * b) + 1] = -1;
        }

        return new TrainingBatch(
            stack(images).MoveToOuterDisposeScope(),
            stack(labels).MoveToOuterDisposeScope(),
            tensor(tasks, [batchSize, 2]).MoveToOuterDisposeScope(),
            zeros([batchSize], ScalarType.Int64).MoveToOuterDisposeScope());
    }
}
