using Hermes.Abstractions;
using Hermes.Core.Tests.IO;
using Hermes.Data;
using Hermes.Testing;
using Hermes.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Hermes.Core.Tests.DependencyInjection;

/// <summary>
/// <see cref="HermesDatasetOptions"/> (<c>Hermes:Training:CustomDatasets</c>): a dataset of your own — an MSD/nnU-Net folder
/// or manifest rows — joins the universal vocabulary with its own task names after the built-in 71 tasks, a new modality
/// after the built-in ones, a label named as an existing task shares its id; invalid entries fail at start-up naming the
/// configuration path, and a declaration that fails leaves the catalog untouched.
/// </summary>
public sealed class CustomDatasetDeclarationTests
{
    private static string Manifest() => Path.Combine(SharedAssets.RequireData(), "manifest.tsv");

    [SkippableFact]
    public void ManifestRowsBecomeADatasetWithOwnTaskNamesAndANewModality()
    {
        var catalog = TaskCatalog.CreateHermes();
        var entry = new HermesDatasetOptions
        {
            Name = "hippo", Manifest = Manifest(), ManifestDataset = "msd_hippocampus", Modality = "MRI",
            Labels = new Dictionary<string, string> { ["1"] = "anterior", ["2"] = "posterior" },
        };
        Assert.Empty(entry.Problems());
        var declared = entry.Declare(catalog);

        Assert.Equal(["hippo/anterior", "hippo/posterior"], declared.NewTasks);
        Assert.Equal(["MRI"], declared.NewModalities);
        Assert.Equal(71, catalog.Vocabulary.TaskIndex("hippo/anterior"));
        Assert.Equal(72, catalog.Vocabulary.TaskIndex("hippo/posterior"));
        Assert.Equal(5, catalog.Vocabulary.ModalityIndex("MRI")); // after CT, PET, T1-MRI, T2-MRI, cine-MRI
        Assert.Equal(4, catalog.Vocabulary.TaskIndex("amos/spleen")); // built-in ids unchanged
        Assert.Equal([71L, 72L], catalog.TaskIds("hippo"));
        Assert.Equal(5, catalog.ModalityId("hippo"));

        var cases = declared.Source.ListCases();
        Assert.Equal(120, cases.Count);
        Assert.All(cases, c => Assert.Equal("hippo", c.Dataset));
        Assert.Contains(cases, c => c.CaseId == "hippocampus_001" && File.Exists(c.LabelPath));
    }

    [SkippableFact]
    public void LabelNamedAsAnExistingTaskSharesItsPrior()
    {
        var catalog = TaskCatalog.CreateHermes();
        var tasks = catalog.Vocabulary.Tasks.Count;
        var declared = new HermesDatasetOptions
        {
            Name = "my_spleen", Manifest = Manifest(), ManifestDataset = "msd_spleen_crop", Modality = "CT",
            Labels = new Dictionary<string, string> { ["amos/spleen"] = "1" }, // the nnU-Net v2 form, naming a built-in task
        }.Declare(catalog);

        Assert.Empty(declared.NewTasks);
        Assert.Empty(declared.NewModalities);
        Assert.Equal(tasks, catalog.Vocabulary.Tasks.Count);
        Assert.Equal([4L], catalog.TaskIds("my_spleen")); // amos/spleen
        Assert.Equal(0, catalog.ModalityId("my_spleen")); // CT
        Assert.Single(declared.Source.ListCases());
    }

    [SkippableFact]
    public void DecathlonFolderDeclaresItselfThroughDatasetJson()
    {
        var data = SharedAssets.RequireData();
        using var folder = new TemporaryFolder();
        var root = MakeDecathlonFolder(folder.Path, data, """
            { "name": "Hippocampus", "labels": { "0": "background", "1": "Anterior", "2": "Posterior" }, "modality": { "0": "MRI" } }
            """);
        var catalog = TaskCatalog.CreateHermes();
        var declared = new HermesDatasetOptions { Name = "task04", Folder = root }.Declare(catalog);
        Assert.Equal(["task04/Anterior", "task04/Posterior"], declared.Declaration.Labels.Select(l => l.Task));
        Assert.Equal("MRI", declared.Declaration.DefaultModality);
        Assert.Equal(["hippocampus_001", "hippocampus_004"], declared.Source.ListCases().Select(c => c.CaseId));

        // Labels and Modality in the configuration override the file.
        var overridden = new HermesDatasetOptions
        {
            Name = "task04b", Folder = root, Modality = "T1-MRI",
            Labels = new Dictionary<string, string> { ["1"] = "head", ["2"] = "tail" },
        }.Declare(catalog);
        Assert.Equal(["task04b/head", "task04b/tail"], overridden.Declaration.Labels.Select(l => l.Task));
        Assert.Equal(2, catalog.ModalityId("task04b"));
        Assert.Empty(overridden.NewModalities);
    }

    [SkippableFact]
    public void FailedDeclarationLeavesTheCatalogUntouched()
    {
        var data = SharedAssets.RequireData();
        using var folder = new TemporaryFolder();
        var catalog = TaskCatalog.CreateHermes();
        var before = catalog.ToJson();

        // A dataset.json label that is not a valid task name (it would become a path part): refused, nothing added.
        var hostile = MakeDecathlonFolder(folder.Path, data, """{ "labels": { "1": "../escape" }, "modality": { "0": "NEWMOD" } }""");
        var e = Assert.Throws<ArgumentException>(() => new HermesDatasetOptions { Name = "hostile", Folder = hostile }.Declare(catalog));
        Assert.Contains("'../escape' is not a valid task", e.Message, StringComparison.Ordinal);

        // A built-in dataset's name.
        e = Assert.Throws<ArgumentException>(() => new HermesDatasetOptions
        {
            Name = "amos_ct", Manifest = Manifest(), ManifestDataset = "msd_spleen_crop", Modality = "NEWMOD",
            Labels = new Dictionary<string, string> { ["1"] = "spleen" },
        }.Declare(catalog));
        Assert.Contains("Name = 'amos_ct' is invalid: the catalog already has a dataset of that name", e.Message, StringComparison.Ordinal);

        // No dataset.json and no labels.
        var bare = Path.Combine(folder.Path, "bare");
        Directory.CreateDirectory(Path.Combine(bare, "imagesTr"));
        Assert.Throws<DatasetFormatException>(() => new HermesDatasetOptions { Name = "bare", Folder = bare, Modality = "CT" }.Declare(catalog));

        Assert.Equal(before, catalog.ToJson());
        Assert.False(catalog.Vocabulary.HasModality("NEWMOD"));
    }

    public static TheoryData<string, string> InvalidEntries => new()
    {
        { """{ "Name": "a/b", "Manifest": "MANIFEST", "Modality": "CT", "Labels": { "1": "x" } }""", "Hermes:Training:CustomDatasets:0:Name = 'a/b' is invalid: expected a dataset key without '/'" },
        { """{ "Name": "x", "Folder": "FOLDER", "Manifest": "MANIFEST", "Modality": "CT" }""", "Hermes:Training:CustomDatasets:0:Folder = 'FOLDER' is invalid: expected exactly one of Folder (an MSD/nnU-Net folder) and Manifest" },
        { """{ "Name": "x", "Folder": "/no/such/folder" }""", "Hermes:Training:CustomDatasets:0:Folder = '/no/such/folder' is invalid: expected an existing folder" },
        { """{ "Name": "x", "Manifest": "MANIFEST", "Labels": { "1": "x" } }""", "Hermes:Training:CustomDatasets:0:Modality = null is invalid: expected a modality name" },
        { """{ "Name": "x", "Manifest": "MANIFEST", "Modality": "CT" }""", "Hermes:Training:CustomDatasets:0:Labels = null is invalid: expected label value → name" },
        { """{ "Name": "x", "Manifest": "MANIFEST", "Modality": "CT", "Labels": { "one": "liver" } }""", "Hermes:Training:CustomDatasets:0:Labels:one = 'liver' is invalid: expected label value → name" },
        { """{ "Name": "x", "Manifest": "MANIFEST", "Modality": "CT", "Labels": { "300": "liver" } }""", "Hermes:Training:CustomDatasets:0:Labels:300 = 'liver' is invalid: expected a label value in 1–255" },
        { """{ "Name": "x", "Manifest": "MANIFEST", "Modality": "CT", "Labels": { "1": "a=b" } }""", "Hermes:Training:CustomDatasets:0:Labels:1 = 'a=b' is invalid: expected a label name (it contains '=')" },
        { """{ "Name": "x", "Manifest": "MANIFEST", "Modality": "CT", "Labels": { "1": "x" }, "SampleWeight": 0 }""", "Hermes:Training:CustomDatasets:0:SampleWeight = 0 is invalid: expected a finite value > 0" },
        { """{ "Name": "x", "Manifest": "MANIFEST", "ManifestDataset": "y", "Modality": "CT", "Labels": { "1": "x" }, "IntensityAugmentationProbability": 2 }""", "Hermes:Training:CustomDatasets:0:IntensityAugmentationProbability = 2 is invalid: expected a value in [0, 1]" },
    };

    [Theory]
    [MemberData(nameof(InvalidEntries))]
    public void InvalidEntryFailsAtStartUpNamingItsPath(string entry, string expected)
    {
        using var folder = new TemporaryFolder();
        var manifest = Path.Combine(folder.Path, "manifest.tsv");
        File.WriteAllText(manifest, "dataset\tcase_id\timage\tlabel\n");
        var json = Path.Combine(folder.Path, "settings.json");
        File.WriteAllText(json, $$"""
            { "Hermes": { "Backbone": "stride8", "Training": { "CustomDatasets": [ {{entry.Replace("MANIFEST", manifest.Replace("\\", "\\\\", StringComparison.Ordinal), StringComparison.Ordinal).Replace("FOLDER", folder.Path, StringComparison.Ordinal)}} ] } } }
            """);
        var configuration = new ConfigurationBuilder().AddJsonFile(json).Build();
        var services = new ServiceCollection();
        services.AddHermes(configuration).AddBackbone<NamedArchitecture>().UseBackbone("stride8");
        using var provider = services.BuildServiceProvider();
        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains(expected.Replace("FOLDER", folder.Path, StringComparison.Ordinal), e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void DuplicateEntryNamesFailAtStartUp()
    {
        using var folder = new TemporaryFolder();
        var services = new ServiceCollection();
        services.AddHermes(o => o.Training.CustomDatasets =
        [
            new HermesDatasetOptions { Name = "mine", Folder = folder.Path },
            new HermesDatasetOptions { Name = "mine", Folder = folder.Path },
        ]).AddBackbone<NamedArchitecture>().UseBackbone("stride8");
        using var provider = services.BuildServiceProvider();
        var e = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains("Hermes:Training:CustomDatasets:1:Name = 'mine' is invalid: expected a name no other entry has", e.Message, StringComparison.Ordinal);
    }

    /// <summary>An MSD folder of two shared hippocampus cases with the given <c>dataset.json</c>.</summary>
    private static string MakeDecathlonFolder(string parent, string data, string datasetJson)
    {
        var root = Path.Combine(parent, "Dataset004_Hippocampus" + Guid.NewGuid().ToString("N")[..6]);
        foreach (var sub in new[] { "imagesTr", "labelsTr" })
        {
            Directory.CreateDirectory(Path.Combine(root, sub));
            foreach (var c in new[] { "hippocampus_001", "hippocampus_004" })
            {
                File.Copy(Path.Combine(data, "msd_hippocampus", sub, c + ".nii.gz"), Path.Combine(root, sub, c + ".nii.gz"));
            }
        }

        File.WriteAllText(Path.Combine(root, "dataset.json"), datasetJson);
        return root;
    }
}
