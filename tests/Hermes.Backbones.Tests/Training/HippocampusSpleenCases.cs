using Hermes.Data;
using Hermes.Testing;

namespace Hermes.Backbones.Tests.Training;

/// <summary>
/// Two real, partially labelled datasets of ../shared/data with different modalities and label sets, preprocessed once
/// (RAS+, 1.5 mm, per-modality normalisation) into a temporary cache: the first <see cref="HippocampusCases"/> cases of
/// msd_hippocampus (T1-MRI; 1 = anterior, 2 = posterior hippocampus) and the single msd_spleen_crop case (CT; 1 = spleen).
/// The spleen dataset's sample weight equals the hippocampus case count, so either dataset fills half of the draws.
/// Global task ids: anterior 0, posterior 1, spleen 2 (id 3 is the loss's silenced pad id); modalities: CT 0, T1-MRI 1.
/// </summary>
public sealed class HippocampusSpleenCases : IDisposable
{
    public const int HippocampusCases = 6;
    public const string Hippocampus = "msd_hippocampus";
    public const string Spleen = "msd_spleen_crop";

    private readonly Lock gate = new();
    private readonly string folder = Directory.CreateTempSubdirectory("hermes-realdata-").FullName;
    private IReadOnlyList<PreprocessedCase>? cases;

    public HippocampusSpleenCases()
    {
        Catalog = new TaskCatalog();
        Catalog.Vocabulary.AddModality("CT");
        Catalog.Vocabulary.AddModality("T1-MRI");
        Catalog.Add(new DatasetDeclaration
        {
            Name = Hippocampus, Modalities = ["T1-MRI"], Labels = [new(1, "hippocampus/anterior"), new(2, "hippocampus/posterior")],
        });
        Catalog.Add(new DatasetDeclaration
        {
            Name = Spleen, Modalities = ["CT"], Labels = [new(1, "spleen/spleen")], SampleWeight = HippocampusCases,
        });
    }

    public TaskCatalog Catalog { get; }

    /// <summary>Seconds spent preprocessing (0 when the cases were already loaded).</summary>
    public double PreprocessingSeconds { get; private set; }

    public long Anterior => Catalog.Vocabulary.TaskIndex("hippocampus/anterior");

    public long Posterior => Catalog.Vocabulary.TaskIndex("hippocampus/posterior");

    public long SpleenTask => Catalog.Vocabulary.TaskIndex("spleen/spleen");

    /// <summary>Model task vocabulary size tn: the catalog's tasks plus the loss's silenced last id.</summary>
    public int TaskCount => Catalog.Vocabulary.ModelTaskCount;

    /// <summary>Model modality vocabulary size mn: the catalog's modalities plus the unknown slot.</summary>
    public int ModalityCount => Catalog.Vocabulary.ModelModalityCount;

    /// <summary>The preprocessed cases (hippocampus first, spleen last), built on first use; skips without ../shared/data.</summary>
    public IReadOnlyList<PreprocessedCase> Cases()
    {
        var data = SharedAssets.RequireData();
        lock (gate)
        {
            if (cases is null)
            {
                var clock = System.Diagnostics.Stopwatch.StartNew();
                var listed = new ManifestSource(Path.Combine(data, "manifest.tsv"), Hippocampus, Spleen).ListCases();
                var chosen = listed.Where(c => c.Dataset == Hippocampus).Take(HippocampusCases)
                    .Append(listed.Single(c => c.Dataset == Spleen)).ToList();
                var cache = new PreprocessingCache(Path.Combine(folder, "cache"), Catalog, new PreprocessingOptions());
                cases = cache.OpenAll(chosen, maxParallelism: 2);
                PreprocessingSeconds = clock.Elapsed.TotalSeconds;
            }

            return cases;
        }
    }

    public void Dispose()
    {
        foreach (var c in cases ?? [])
        {
            c.Dispose();
        }

        Directory.Delete(folder, recursive: true);
    }
}
