using BenchmarkDotNet.Attributes;
using Hermes.Preprocessing;
using Hermes.Volumes;
using static TorchSharp.torch;

namespace Hermes.Benchmarks.Volumes;

/// <summary>Resampling a 512×512×300 volume from 0.8 mm to 1.5 mm isotropic (trilinear image, nearest label).</summary>
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class ResamplingBenchmark
{
    private Volume? image;
    private Volume? label;

    [GlobalSetup]
    public void Setup()
    {
        using var ct = SyntheticCt.Create();
        image = new Volume(ct.Data.to(ScalarType.Float32), ct.Geometry);
        label = new Volume(ct.Data.gt(0).to(ScalarType.Byte), ct.Geometry);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        image?.Dispose();
        label?.Dispose();
    }

    [Benchmark(Description = "image 0.8→1.5 mm trilinear")]
    public long Image()
    {
        using var r = Resampling.ToSpacing(image!, [1.5, 1.5, 1.5]);
        return r.Geometry.VoxelCount;
    }

    [Benchmark(Description = "label 0.8→1.5 mm nearest")]
    public long Label()
    {
        using var r = Resampling.ToSpacing(label!, [1.5, 1.5, 1.5], ResamplingMode.Nearest);
        return r.Geometry.VoxelCount;
    }
}
