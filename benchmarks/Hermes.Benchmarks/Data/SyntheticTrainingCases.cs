using Hermes.Data;
using Hermes.IO;
using Hermes.Checkpoints;
using Hermes.Volumes;
using TorchSharp;
using static TorchSharp.torch;
using Hermes.Preprocessing;

namespace Hermes.Benchmarks.Data;

/// <summary>
/// Three synthetic CT cases (160×160×128 at 1.5 mm: a noisy sphere "organ" with a small "lesion" at its centre) written as
/// NIfTI and preprocessed into the memory-mapped cache — the input of the data-pipeline and training-step benchmarks.
/// </summary>
public sealed class SyntheticTrainingCases : IDisposable
{
    private readonly string folder;

    private SyntheticTrainingCases(string folder, TaskCatalog catalog, List<PreprocessedCase> cases)
    {
        this.folder = folder;
        Catalog = catalog;
        Cases = cases;
    }

    /// <summary>The catalog: one CT dataset "synthetic" with labels 1 = s/organ, 2 = s/lesion.</summary>
    public TaskCatalog Catalog { get; }

    /// <summary>The preprocessed cases.</summary>
    public IReadOnlyList<PreprocessedCase> Cases { get; }

    /// <summary>Writes and preprocesses the cases in a fresh temporary folder (deterministic).</summary>
    public static SyntheticTrainingCases Create()
    {
        var folder = Path.Combine(Path.GetTempPath(), "hermes-bench-data-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(folder);
        var catalog = new TaskCatalog();
        catalog.Vocabulary.AddModality("CT");
        catalog.Add(new DatasetDeclaration { Name = "synthetic", Modalities = ["CT"], Labels = [new(1, "s/organ"), new(2, "s/lesion")] });
        var references = new List<CaseReference>();
        const int w = 160, h = 160, d = 128;
        var geometry = VolumeGeometry.Create([w, h, d], [1.5, 1.5, 1.5]);
        var generator = new Generator(1);
        for (var n = 0; n < 3; n++)
        {
            using var scope = NewDisposeScope();
            var z = arange(d).reshape(d, 1, 1).sub(64).square();
            var y = arange(h).reshape(1, h, 1).sub(80).square();
            var x = arange(w).reshape(1, 1, w).sub(80).square();
            var r2 = z.add(y).add(x);
            var label = r2.lt(30 * 30).to(ScalarType.Byte).add(r2.lt(5 * 5).to(ScalarType.Byte));
            var image = label.to(ScalarType.Float32).mul(100).add(rand([d, h, w], generator: generator).mul(50)).sub(500);
            var img = Path.Combine(folder, $"img{n}.nii");
            var lab = Path.Combine(folder, $"lab{n}.nii");
            using (var v = new Volume(image, geometry))
            {
                VolumeIO.Write(v, img);
            }

            using (var v = new Volume(label, geometry))
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
        return new SyntheticTrainingCases(folder, catalog, [.. cache.OpenAll(references)]);
    }

    /// <summary>Closes the cases and deletes the folder.</summary>
    public void Dispose()
    {
        foreach (var c in Cases)
        {
            c.Dispose();
        }

        Directory.Delete(folder, recursive: true);
    }
}
