using Hermes.Data;

namespace Hermes.Core.Tests.Data;

public sealed class TaskCatalogTests
{
    [Fact]
    public void BuiltInCatalogMatchesTheReferenceTable()
    {
        var catalog = TaskCatalog.CreateHermes();
        Assert.Equal(
            ["amos_ct", "amos_mr", "bcv", "structseg_oar", "structseg_head_oar", "lits", "kits", "chaos", "mnm", "brain_structure", "autopet"],
            catalog.Datasets.Select(d => d.Name));
        Assert.Equal([15, 13, 13, 6, 22, 2, 2, 4, 3, 3, 1], catalog.Datasets.Select(d => d.Labels.Count));
        Assert.Equal(71, catalog.Vocabulary.Tasks.Count);
        Assert.Equal(["CT", "PET", "T1-MRI", "T2-MRI", "cine-MRI"], catalog.Vocabulary.Modalities);

        static long[] Range(int first, int count) => [.. Enumerable.Range(first, count).Select(i => (long)i)];
        Assert.Equal(Range(4, 15), catalog.TaskIds("amos_ct"));
        Assert.Equal(Range(4, 13), catalog.TaskIds("amos_mr"));
        Assert.Equal(Range(19, 13), catalog.TaskIds("bcv"));
        Assert.Equal(Range(32, 6), catalog.TaskIds("structseg_oar"));
        Assert.Equal(Range(42, 22), catalog.TaskIds("structseg_head_oar"));
        Assert.Equal(Range(0, 2), catalog.TaskIds("lits"));
        Assert.Equal(Range(2, 2), catalog.TaskIds("kits"));
        Assert.Equal(Range(38, 4), catalog.TaskIds("chaos"));
        Assert.Equal(Range(64, 3), catalog.TaskIds("mnm"));
        Assert.Equal(Range(67, 3), catalog.TaskIds("brain_structure"));
        Assert.Equal([70L], catalog.TaskIds("autopet"));

        // Every id 0..70 is used exactly once, except AMOS-CT/MR sharing 4–16.
        var all = catalog.Datasets.Where(d => d.Name != "amos_mr").SelectMany(d => catalog.TaskIds(d.Name)).Order().ToArray();
        Assert.Equal(Range(0, 71), all);

        Assert.Equal(0, catalog.ModalityId("amos_ct"));
        Assert.Equal(-1, catalog.ModalityId("amos_mr"));
        Assert.Equal(2, catalog.ModalityId("chaos", "T1-MRI"));
        Assert.Equal(3, catalog.ModalityId("chaos", "T2-MRI"));
        Assert.Equal(4, catalog.ModalityId("mnm"));
        Assert.Equal(2, catalog.ModalityId("brain_structure"));
        Assert.Equal(1, catalog.ModalityId("autopet"));
        Assert.Throws<ArgumentException>(() => catalog.ModalityId("lits", "PET"));

        // Class order examples (local value v ↦ id list[v − 1]).
        Assert.Equal("amos/liver", catalog["amos_ct"].Labels[5].Task);
        Assert.Equal(9L, catalog.TaskIds("amos_ct")[5]);
        Assert.Equal("bcv/portal_splenic_vein", catalog["bcv"].Labels[9].Task);
        Assert.Equal("structseg_head_oar/optic_chiasm", catalog["structseg_head_oar"].Labels[7].Task);

        // Task lists are padded to the largest class count + 1 = 23.
        Assert.Equal(23, catalog.Datasets.Max(d => d.Labels.Count) + 1);
    }

    [Fact]
    public void BuiltInWeightsReproduceTheShareOfDraws()
    {
        var catalog = TaskCatalog.CreateHermes();
        var trainVolumes = new Dictionary<string, int>
        {
            ["amos_ct"] = 195, ["amos_mr"] = 38, ["bcv"] = 23, ["structseg_oar"] = 38, ["structseg_head_oar"] = 39, ["lits"] = 99,
            ["kits"] = 159, ["chaos"] = 45, ["mnm"] = 286, ["brain_structure"] = 124, ["autopet"] = 705,
        };
        var expectedShare = new Dictionary<string, double>
        {
            ["amos_ct"] = 39.9, ["amos_mr"] = 6.9, ["bcv"] = 3.9, ["structseg_oar"] = 3.0, ["structseg_head_oar"] = 11.5, ["lits"] = 3.4,
            ["kits"] = 5.4, ["chaos"] = 2.6, ["mnm"] = 9.7, ["brain_structure"] = 5.6, ["autopet"] = 8.0,
        };
        var names = catalog.Datasets.SelectMany(d => Enumerable.Repeat(d.Name, trainVolumes[d.Name])).ToArray();
        var sampler = new WeightedCaseSampler([.. names.Select(n => catalog[n].SampleWeight)]);
        foreach (var d in catalog.Datasets)
        {
            var share = names.Select((n, i) => (n, i)).Where(x => x.n == d.Name).Sum(x => sampler.Probabilities[x.i]) * 100;
            Assert.True(Math.Abs(share - expectedShare[d.Name]) < 0.06, $"{d.Name}: {share:F2} % vs {expectedShare[d.Name]} %");
        }

        Assert.Equal(0.2, catalog["amos_mr"].IntensityAugmentationProbability);
        Assert.Equal(0.2, catalog["chaos"].IntensityAugmentationProbability);
        Assert.Equal(0.2, catalog["mnm"].IntensityAugmentationProbability);
        Assert.Equal(0.1, catalog["autopet"].IntensityAugmentationProbability);
    }

    [Fact]
    public void AddingDatasetsKeepsEveryIndex()
    {
        var original = TaskCatalog.CreateHermes();
        var grown = TaskCatalog.FromJson(original.ToJson());
        grown.Vocabulary.AddModality("US");
        grown.Add(new DatasetDeclaration
        {
            Name = "my_liver_us",
            Modalities = ["US"],
            Labels = [new(1, "amos/liver"), new(2, "my/cyst"), new(5, "my/vessel")],
        });

        Assert.True(grown.Vocabulary.Extends(original.Vocabulary));
        Assert.False(original.Vocabulary.Extends(grown.Vocabulary));
        Assert.Equal([9L, 71, 72], grown.TaskIds("my_liver_us"));
        Assert.Equal(5, grown.ModalityId("my_liver_us"));
        foreach (var d in original.Datasets)
        {
            Assert.Equal(original.TaskIds(d.Name), grown.TaskIds(d.Name));
        }

        // Same name, same index, whatever order datasets are added in.
        Assert.Equal(grown.Vocabulary.AddTask("my/cyst"), grown.Vocabulary.TaskIndex("my/cyst"));
        Assert.Equal(73, grown.Vocabulary.Tasks.Count);
    }

    [Fact]
    public void JsonRoundTripPreservesEverything()
    {
        var catalog = TaskCatalog.CreateHermes();
        catalog.Add(new DatasetDeclaration { Name = "extra", Modalities = ["CT"], Labels = [new(3, "extra/x")], SampleWeight = 0.25, IntensityAugmentationProbability = 0.3 });
        var json = catalog.ToJson();
        var back = TaskCatalog.FromJson(json);

        Assert.Equal(catalog.Vocabulary.Tasks, back.Vocabulary.Tasks);
        Assert.Equal(catalog.Vocabulary.Modalities, back.Vocabulary.Modalities);
        Assert.Equal(catalog.Datasets.Count, back.Datasets.Count);
        for (var i = 0; i < catalog.Datasets.Count; i++)
        {
            var (a, b) = (catalog.Datasets[i], back.Datasets[i]);
            Assert.Equal(a.Name, b.Name);
            Assert.Equal(a.Modalities, b.Modalities);
            Assert.Equal(a.Labels, b.Labels);
            Assert.Equal(a.SampleWeight, b.SampleWeight);
            Assert.Equal(a.IntensityAugmentationProbability, b.IntensityAugmentationProbability);
            Assert.Equal(catalog.TaskIds(a.Name), back.TaskIds(b.Name));
        }

        Assert.Equal(json, back.ToJson());

        var vocabulary = TaskVocabulary.Parse(catalog.Vocabulary.ToJsonString());
        Assert.Equal(catalog.Vocabulary.Tasks, vocabulary.Tasks);
        Assert.Equal(catalog.Vocabulary.Modalities, vocabulary.Modalities);
        Assert.Throws<FormatException>(() => TaskVocabulary.Parse("""{"tasks": ["a", "a"], "modalities": []}"""));

        using var folder = new IO.TemporaryFolder();
        var path = folder.File("catalog.json");
        catalog.Save(path);
        Assert.Equal(json, TaskCatalog.Load(path).ToJson());
        Assert.Single(Directory.GetFiles(folder.Path));
    }

    [Fact]
    public void UserJsonCanDeclareOrExtend()
    {
        var own = TaskCatalog.FromJson("""
            { "modalities": ["CT", "T1-MRI"],
              "datasets": [ { "name": "hippo", "modality": "T1-MRI", "labels": [ {"value": 1, "task": "hippo/anterior"}, {"value": 2, "task": "hippo/posterior"} ] },
                            { "name": "spleen", "modalities": ["CT"], "labels": [ {"value": 1, "task": "spleen/spleen"} ], "sampleWeight": 3 } ] }
            """);
        Assert.Equal([0L, 1], own.TaskIds("hippo"));
        Assert.Equal([2L], own.TaskIds("spleen"));
        Assert.Equal(1, own.ModalityId("hippo"));
        Assert.Equal(3.0, own["spleen"].SampleWeight);

        var extended = TaskCatalog.FromJson("""{ "extends": "hermes", "datasets": [ { "name": "x", "modality": "PET", "labels": [ {"value": 1, "task": "autopet/lesion"} ] } ] }""");
        Assert.Equal(12, extended.Datasets.Count);
        Assert.Equal([70L], extended.TaskIds("x"));
    }

    [Fact]
    public void InvalidDeclarationsFailWithClearErrors()
    {
        var catalog = TaskCatalog.CreateHermes();
        var dup = Assert.Throws<ArgumentException>(() => catalog.Add(new DatasetDeclaration { Name = "d", Modalities = ["CT"], Labels = [new(1, "d/a"), new(1, "d/b")] }));
        Assert.Contains("label value 1 is declared 2 times", dup.Message);
        var unknown = Assert.Throws<ArgumentException>(() => catalog.Add(new DatasetDeclaration { Name = "d", Modalities = ["Ultrasound"], Labels = [new(1, "d/a")] }));
        Assert.Contains("unknown modality 'Ultrasound'", unknown.Message);
        var taken = Assert.Throws<ArgumentException>(() => catalog.Add(new DatasetDeclaration { Name = "lits", Modalities = ["CT"], Labels = [new(1, "d/a")] }));
        Assert.Contains("'lits' is already declared", taken.Message);
        var range = Assert.Throws<ArgumentException>(() => catalog.Add(new DatasetDeclaration { Name = "d", Modalities = ["CT"], Labels = [new(256, "d/a")] }));
        Assert.Contains("256", range.Message);
        var sameTask = Assert.Throws<ArgumentException>(() => catalog.Add(new DatasetDeclaration { Name = "d", Modalities = ["CT"], Labels = [new(1, "d/a"), new(2, "d/a")] }));
        Assert.Contains("task 'd/a'", sameTask.Message);
        Assert.Throws<ArgumentException>(() => catalog.Add(new DatasetDeclaration { Name = "d", Modalities = ["CT"], Labels = [new(1, "d/a")], SampleWeight = 0 }));
        Assert.Equal(11, catalog.Datasets.Count);
        Assert.Equal(71, catalog.Vocabulary.Tasks.Count);

        var badJson = Assert.Throws<FormatException>(() => TaskCatalog.FromJson("""{ "datasets": [ { "name": "d", "modality": "MR", "labels": [ {"value": 1, "task": "t"} ] } ] }""", "my.json"));
        Assert.Contains("my.json", badJson.Message);
        Assert.Contains("unknown modality 'MR'", badJson.Message);
        var badValue = Assert.Throws<FormatException>(() => TaskCatalog.FromJson("""{ "modalities": ["CT"], "datasets": [ { "name": "d", "modality": "CT", "labels": [ {"value": "one", "task": "t"} ] } ] }""", "my.json"));
        Assert.Contains("labels[].value", badValue.Message);
        Assert.Throws<FormatException>(() => TaskCatalog.FromJson("{", "my.json"));
    }
}
