using BenchmarkDotNet.Attributes;
using Hermes.Inference;
using Hermes.Metrics;
using Hermes.Volumes;

namespace Hermes.Benchmarks.Inference;

/// <summary>
/// Connected-component postprocessing of a 256³ mask: a ball of radius 100 voxels with a cavity, plus 2,000 random
/// specks. Each operation runs on a fresh copy.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 3)]
[MemoryDiagnoser]
public class PostprocessingBenchmarks
{
    private const int Size = 256;
    private static readonly MaskShape Shape = new(Size, Size, Size);
    private byte[] mask = null!;
    private byte[] work = null!;

    /// <summary>Foreground connectivity.</summary>
    [Params(Connectivity.Faces, Connectivity.Corners)]
    public Connectivity Connectivity { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        mask = new byte[Shape.VoxelCount];
        for (var z = 0; z < Size; z++)
        {
            for (var y = 0; y < Size; y++)
            {
                for (var x = 0; x < Size; x++)
                {
                    var r2 = ((z - 128) * (z - 128)) + ((y - 128) * (y - 128)) + ((x - 128) * (x - 128));
                    mask[(((z * Size) + y) * Size) + x] = r2 <= 100 * 100 && r2 > 30 * 30 ? (byte)1 : (byte)0;
                }
            }
        }

        var random = new Random(3);
        for (var i = 0; i < 2000; i++)
        {
            mask[random.Next(mask.Length)] = 1;
        }

        work = new byte[mask.Length];
    }

    [IterationSetup]
    public void Reset() => mask.CopyTo(work, 0);

    [Benchmark(Description = "keep largest component, 256³")]
    public int KeepLargest() => ConnectedComponents.KeepLargest(work, Shape, Connectivity);

    [Benchmark(Description = "fill holes, 256³")]
    public long FillHoles() => ConnectedComponents.FillHoles(work, Shape);
}
