using System.IO.Compression;
using BenchmarkDotNet.Attributes;
using Hermes.IO;
using Hermes.Volumes;

namespace Hermes.Benchmarks.Volumes;

/// <summary>Writing a 512×512×300 int16 <c>.nii.gz</c> (fastest and default compression).</summary>
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 3)]
public class NiftiGzipWriteBenchmark
{
    private Volume? volume;
    private string path = "";

    [Params(CompressionLevel.Fastest, CompressionLevel.Optimal)]
    public CompressionLevel Level { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        volume = SyntheticCt.Create();
        path = Path.Combine(Path.GetTempPath(), $"hermes-bench-w-{Guid.NewGuid():N}.nii.gz");
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        volume?.Dispose();
        File.Delete(path);
    }

    [Benchmark(Description = "VolumeIO.Write .nii.gz")]
    public void Write() => VolumeIO.Write(volume!, path, new VolumeWriteOptions { Compression = Level });
}
