using System.Runtime.CompilerServices;
using Hermes.Data;
using Hermes.Training;
using static TorchSharp.torch;

namespace Hermes.Backbones.Tests.Transfer;

/// <summary>
/// Synthetic CT-like 32³ patches that all show two organs: organ A, a bright sphere near the centre, and organ B, a brighter
/// cube towards the low corner; the label is organ A's or organ B's mask. Each batch requests one task column plus one null column (−1); batch k is a function of (seed, k).
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
            var (sz, sy, sx) = (rng.Next(15, 20), rng.Next(15, 20), rng.Next(15, 20));
            var r = 5 + rng.Next(3);
            var sphere = g[0].sub(sz).square().add(g[1].sub(sy).square()).add(g[2].sub(sx).square()).le(r * r);
            var (cz, cy, cx) = (rng.Next(6, 10), rng.Next(6, 10), rng.Next(6, 10));
            var half = 3 + rng.Next(2);
            var cube = g[0].sub(cz).abs().le(half).logical_and(g[1].sub(cy).abs().le(half)).logical_and(g[2].sub(cx).abs().le(half))
                .logical_and(sphere.logical_not());
            image.add_(sphere.to_type(ScalarType.Float32).mul(1.5f)).add_(cube.to_type(ScalarType.Float32).mul(3.0f));
            var mask = organB ? cube : sphere;
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
