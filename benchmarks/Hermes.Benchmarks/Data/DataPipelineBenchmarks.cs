using BenchmarkDotNet.Attributes;
using Hermes.Augmentation;
using Hermes.Checkpoints;
using Hermes.Data;
using Hermes.IO;
using Hermes.Runtime;
using Hermes.Volumes;

namespace Hermes.Benchmarks.Data;

/// <summary>
/// The data pipeline alone (no model): weighted case draw, foreground-oversampled patch read from the memory-mapped cache,
/// augmentation (reference settings) and mask/task assembly, batch 2, on the CPU. Time is per patch (OperationsPerInvoke = 2);
/// patches/s = 1 / mean.
/// </summary>
[SimpleJob(launchCount: 1, warmupCount: 1, iterationCount: 3)]
[MemoryDiagnoser]
public class DataPipelineBenchmarks
{
    private const int BatchSize = 2;
    private string folder = null!;
    private List<PreprocessedCase> cases = null!;
    private TrainingBatchSource source = null!;
    private long step;

    /// <summary>Cubic patch edge.</summary>
    [Params(64, 96)]
    public int Patch { get; set; }

    /// <summary>Whether the reference augmentation runs (spatial p = 0.5, intensity p = 0.1).</summary>
    [Params(false, true)]
    public bool Augment { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        HermesRuntime.EnsureInitialized(new HermesRuntimeOptions { Threads = 2 });
        folder = Path.Combine(Path.GetTempPath(), "hermes-bench-data-" + Guid.NewGuid().ToString("N"));
        var catalog = new TaskCatalog();
        catalog.Vocabulary.AddModality("CT");
        catalog.Add(new DatasetDeclaration { Name = "synthetic", Modalities = ["CT"], Labels = [new(1, "s/organ"), new(2, "s/lesion")] });
        var references = new List<CaseReference>();
        var random = new Random(1);
        for (var n = 0; n < 3; n++)
        {
            const int w = 160, h = 160, d = 128;
            var image = new float[w * h * d];
            var label = new byte[w * h * d];
            for (var i = 0; i < image.Length; i++)
            {
                int x = i % w, y = i / w % h, z = i / (w * h);
                var r2 = ((x - 80) * (x - 80)) + ((y - 80) * (y - 80)) + ((z - 64) * (z - 64));
                label[i] = (byte)(r2 < 30 * 30 ? (r2 < 5 * 5 ? 2 : 1) : 0);
                image[i] = (float)((label[i] * 100) + (random.NextDouble() * 50) - 500);
            }

            var geometry = VolumeGeometry.Create([w, h, d], [1.5, 1.5, 1.5]);
            var img = Path.Combine(folder, $"img{n}.nii");
            var lab = Path.Combine(folder, $"lab{n}.nii");
            Directory.CreateDirectory(folder);
            using (var v = Volume.FromArray(image, geometry))
            {
                VolumeIO.Write(v, img);
            }

            using (var v = Volume.FromArray(label, geometry))
            {
                VolumeIO.Write(v, lab);
            }

            references.Add(new CaseReference("synthetic", $"c{n}", [img], lab));
        }

        var cache = new PreprocessingCache(Path.Combine(folder, "cache"), catalog, new PreprocessingOptions
        {
            TargetSpacing = [1.5, 1.5, 1.5],
            Normalization = new Dictionary<string, IntensityNormalization> { ["CT"] = IntensityNormalization.Ct },
        });
        cases = [.. cache.OpenAll(references)];
        var augmenter = Augment ? new BatchAugmenter(new AugmentationOptions()) : null;
        source = new TrainingBatchSource(catalog, cases, new TrainingBatchOptions { BatchSize = BatchSize, PatchSize = [Patch, Patch, Patch], Seed = 7, MaxParallelism = 2 }, augmenter);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        foreach (var c in cases)
        {
            c.Dispose();
        }

        Directory.Delete(folder, recursive: true);
    }

    /// <summary>Builds one batch of two patches.</summary>
    [Benchmark(OperationsPerInvoke = BatchSize)]
    public long Batch()
    {
        using var batch = source.GetBatch(step++);
        return batch.Labels.shape[1];
    }
}
