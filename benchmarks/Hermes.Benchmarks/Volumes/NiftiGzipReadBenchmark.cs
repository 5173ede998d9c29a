using System.IO.Compression;
using BenchmarkDotNet.Attributes;
using Hermes.IO;

namespace Hermes.Benchmarks.Volumes;

/// <summary>Reading a 512×512×300 int16 <c>.nii.gz</c> versus plain gzip decompression of the same file (target: within 1.3×).</summary>
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 3)]
[MemoryDiagnoser]
public class NiftiGzipReadBenchmark
{
    private string path = "";

    [GlobalSetup]
    public void Setup() => path = SyntheticCt.WriteTemporaryNiftiGz();

    [GlobalCleanup]
    public void Cleanup() => File.Delete(path);

    [Benchmark(Baseline = true, Description = "gzip decompress to null")]
    public long PlainGzip()
    {
        using var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan);
        using var gz = new GZipStream(file, CompressionMode.Decompress);
        var buffer = new byte[1 << 20];
        long total = 0;
        int n;
        while ((n = gz.Read(buffer)) > 0)
        {
            total += n;
        }

        return total;
    }

    [Benchmark(Description = "VolumeIO.Read .nii.gz")]
    public long ReadNifti()
    {
        using var v = VolumeIO.Read(path);
        return v.Geometry.VoxelCount;
    }
}
