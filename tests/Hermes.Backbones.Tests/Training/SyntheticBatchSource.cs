using System.Runtime.CompilerServices;
using Hermes.Data;
using Hermes.Training;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Backbones.Tests.Training;

/// <summary>
/// Two synthetic "datasets" of 32³ volumes with different modalities and label sets: "ct" (modality 0) with tasks
/// 0 (bright sphere) and 1 (dark cube), and "mr" (modality 1) with task 2 (bright ellipsoid). Batch k is a pure
/// function of (seed, k), mixes datasets freely and pads task lists with −1 to T = 3 (reference §9.3).
/// </summary>
internal sealed class SyntheticBatchSource(int seed, int batchSize = 2, int size = 32) : IBatchSource
{
    public const int TaskCount = 4; // ids 0–2 used; id 3 is the silenced last id of HermesLoss
    public const int ModalityCount = 2;
    public const int Columns = 3;

    public async IAsyncEnumerable<TrainingBatch> ReadAsync(long firstStep, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var k = firstStep; ; k++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            yield return Batch(k);
            // Batches are built on the consuming (training) thread. When they were built on thread-pool threads (with
            // LibTorch's default two intra-op threads there), training intermittently produced NaN logits on this CPU.
            await Task.CompletedTask.ConfigureAwait(false);
        }
    }

    public TrainingBatch Batch(long k, int? forceDataset = null)
    {
        var rng = new Random(Mix(seed, k));
        using var generator = new Generator((ulong)(((long)seed * 1_000_003) + k));
        using var scope = NewDisposeScope();
        var images = new List<Tensor>();
        var labels = new List<Tensor>();
        var tasks = new long[batchSize * Columns];
        var modality = new long[batchSize];
        var grid = Grid();
        for (var b = 0; b < batchSize; b++)
        {
            var dataset = forceDataset ?? rng.Next(2);
            var noise = randn([size, size, size], generator: generator).mul_(0.3f);
            var masks = zeros([Columns, size, size, size], ScalarType.Int8);
            Array.Fill(tasks, -1L, b * Columns, Columns);
            if (dataset == 0)
            {
                var sphere = Ball(grid, Centre(rng), 5 + rng.Next(3));
                var cube = Box(grid, Centre(rng), 3 + rng.Next(3)).logical_and_(sphere.logical_not());
                noise.add_(sphere.to_type(ScalarType.Float32).mul(1.5f)).sub_(cube.to_type(ScalarType.Float32).mul(1.5f));
                masks[0] = sphere.to_type(ScalarType.Int8);
                masks[1] = cube.to_type(ScalarType.Int8);
                tasks[b * Columns] = 0;
                tasks[(b * Columns) + 1] = 1;
                modality[b] = 0;
            }
            else
            {
                var blob = Ball(grid, Centre(rng), 6 + rng.Next(3));
                noise.add_(blob.to_type(ScalarType.Float32).mul(2.0f)).add_(0.5f);
                masks[0] = blob.to_type(ScalarType.Int8);
                tasks[b * Columns] = 2;
                modality[b] = 1;
            }

            images.Add(noise.unsqueeze(0));
            labels.Add(masks);
        }

        var batch = new TrainingBatch(
            stack(images).MoveToOuterDisposeScope(),
            stack(labels).MoveToOuterDisposeScope(),
            tensor(tasks, [batchSize, Columns]).MoveToOuterDisposeScope(),
            tensor(modality).MoveToOuterDisposeScope());
        return batch;
    }

    private static int Mix(long seed, long k)
    {
        var z = unchecked((((ulong)seed * 0x9E3779B97F4A7C15UL) ^ (ulong)k) + 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return (int)((z ^ (z >> 31)) & int.MaxValue);
    }

    private (long, long, long) Centre(Random rng) => (rng.Next(9, size - 9), rng.Next(9, size - 9), rng.Next(9, size - 9));

    private Tensor[] Grid()
    {
        var axis = arange(size, ScalarType.Float32);
        return meshgrid([axis, axis, axis], indexing: "ij");
    }

    private static Tensor Ball(Tensor[] g, (long Z, long Y, long X) c, double r) =>
        g[0].sub(c.Z).square().add(g[1].sub(c.Y).square()).add(g[2].sub(c.X).square()).le(r * r);

    private static Tensor Box(Tensor[] g, (long Z, long Y, long X) c, double half) =>
        g[0].sub(c.Z).abs().le(half).logical_and(g[1].sub(c.Y).abs().le(half)).logical_and(g[2].sub(c.X).abs().le(half));
}
