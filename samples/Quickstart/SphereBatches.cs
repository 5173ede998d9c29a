using System.Runtime.CompilerServices;
using Hermes.Data;
using Hermes.Training;
using static TorchSharp.torch;

namespace Hermes.Samples.Quickstart;

/// <summary>Training batches of bright spheres in noise (task 0, modality 0); batch k depends only on k.</summary>
public sealed class SphereBatches : IBatchSource
{
    public async IAsyncEnumerable<TrainingBatch> ReadAsync(long firstStep, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var k = firstStep; !cancellationToken.IsCancellationRequested; k++)
        {
            var rng = new Random((int)k);
            var (a, la) = Volume(rng, 32);
            var (b, lb) = Volume(rng, 32);
            yield return new TrainingBatch(stack([a, b]).unsqueeze(1), stack([la, lb]).unsqueeze(1).to(ScalarType.Int8),
                tensor(new long[] { 0, 0 }, [2, 1]), tensor(new long[] { 0, 0 }));
            await Task.Yield();
        }
    }

    /// <summary>A volume [size³] with one sphere of radius 6–10 voxels, and its uint8 mask.</summary>
    public static (Tensor Image, Tensor Mask) Volume(Random rng, int size)
    {
        using var scope = NewDisposeScope();
        var axis = arange(size, ScalarType.Float32);
        var g = meshgrid([axis, axis, axis], indexing: "ij");
        var r = 6 + (rng.NextDouble() * 4);
        double C() => r + (rng.NextDouble() * (size - (2 * r)));
        var mask = g[0].sub(C()).square().add(g[1].sub(C()).square()).add(g[2].sub(C()).square()).le(r * r);
        var image = mask.to(ScalarType.Float32).add(randn([size, size, size]).mul(0.4));
        return (image.MoveToOuterDisposeScope(), mask.to(ScalarType.Byte).MoveToOuterDisposeScope());
    }
}
