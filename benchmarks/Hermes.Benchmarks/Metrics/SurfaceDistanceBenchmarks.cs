using BenchmarkDotNet.Attributes;
using Hermes.Metrics;
using Hermes.Volumes;

namespace Hermes.Benchmarks.Metrics;

/// <summary>
/// Surface metrics of a 256³ sphere pair (radii 90 and 96 voxels, offset centres) at anisotropic spacing: the whole
/// surface-distance computation (codes, two exact EDTs, gathering), and the EDT alone.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 3)]
[MemoryDiagnoser]
public class SurfaceDistanceBenchmarks
{
    private const int Size = 256;
    private static readonly VoxelSpacing Spacing = new(1.5, 0.8, 0.8);
    private static readonly MaskShape Shape = new(Size, Size, Size);
    private byte[] prediction = null!;
    private byte[] reference = null!;

    [GlobalSetup]
    public void Setup()
    {
        reference = Ball((128, 128, 128), 90);
        prediction = Ball((131, 126, 128), 96);
    }

    [Benchmark(Description = "surface distances + HD95 + NSD, 256³")]
    public double SurfaceMetrics()
    {
        var surface = SurfaceDistances.Compute(prediction, reference, Shape, Spacing);
        return surface.HausdorffDistance(95) + surface.NormalizedSurfaceDice(2.0);
    }

    [Benchmark(Description = "exact EDT, 256³")]
    public double DistanceTransform() => EuclideanDistanceTransform.SquaredDistances(reference, Shape, Spacing)[0];

    [Benchmark(Description = "Dice counts, 256³")]
    public double Dice() => SegmentationOverlap.Dice(prediction, reference);

    private static byte[] Ball((int Z, int Y, int X) centre, double radiusVoxels)
    {
        var mask = new byte[Shape.VoxelCount];
        var r2 = radiusVoxels * radiusVoxels;
        for (var z = 0; z < Size; z++)
        {
            for (var y = 0; y < Size; y++)
            {
                for (var x = 0; x < Size; x++)
                {
                    double dz = z - centre.Z, dy = y - centre.Y, dx = x - centre.X;
                    mask[(((z * Size) + y) * Size) + x] = (dz * dz) + (dy * dy) + (dx * dx) <= r2 ? (byte)1 : (byte)0;
                }
            }
        }

        return mask;
    }
}
