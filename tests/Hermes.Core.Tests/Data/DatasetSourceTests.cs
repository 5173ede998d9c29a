using Hermes.Core.Tests.IO;
using Hermes.Data;
using Hermes.Testing;
using TorchSharp;

namespace Hermes.Core.Tests.Data;

public sealed class DatasetSourceTests
{
    private static readonly byte[] SmallLabel = SyntheticCases.Label(6, 5, 4, (z, y, x) => x < 2 ? 1 : x > 4 ? 2 : 0);

    [Fact]
    public void DecathlonLayoutWithTrainingListIsRead()
    {
        using var folder = new TemporaryFolder();
        SyntheticCases.WritePair(folder.Path, "a", "case_001", SmallLabel, 6, 5, 4);
        SyntheticCases.WritePair(folder.Path, "a", "case_002", SmallLabel, 6, 5, 4);
        File.WriteAllText(Path.Combine(folder.Path, "dataset.json"), """
            { "name": "A", "modality": {"0": "CT"}, "labels": {"0": "background", "1": "one", "2": "two"},
              "training": [ {"image": "./imagesTr/case_001.nii.gz", "label": "./labelsTr/case_001.nii.gz"},
                            {"image": "./imagesTr/case_002.nii.gz", "label": "./labelsTr/case_002.nii.gz"} ] }
            """);

        var cases = new DecathlonFolderSource(folder.Path, "a").ListCases();
        Assert.Equal(["case_001", "case_002"], cases.Select(c => c.CaseId));
        Assert.All(cases, c => Assert.Equal("a", c.Dataset));
        Assert.Equal(Path.Combine(folder.Path, "imagesTr", "case_002.nii.gz"), cases[1].ImagePaths.Single());

        var cache = new PreprocessingCache(folder.File("cache"), SyntheticCases.Catalog(), SyntheticCases.Raw);
        using var c = cache.Open(cases[0]);
        Assert.Equal([1, 4, 5, 6], c.Shape);
        Assert.Equal(2 * 5 * 4, c.VoxelCounts[1]);
        Assert.Equal(1 * 5 * 4, c.VoxelCounts[2]);
    }

    [Fact]
    public void DatasetJsonLabelsBecomeADeclaration()
    {
        using var folder = new TemporaryFolder();
        Directory.CreateDirectory(folder.Path);
        File.WriteAllText(folder.File("dataset.json"), """{ "modality": {"0": "CT"}, "labels": {"0": "background", "2": "tumour", "1": "liver"} }""");
        var msd = new DecathlonFolderSource(folder.Path, "liver").ReadDeclaration(sampleWeight: 0.5);
        Assert.Equal([new LabelDeclaration(1, "liver/liver"), new LabelDeclaration(2, "liver/tumour")], msd.Labels);
        Assert.Equal(["CT"], msd.Modalities);
        Assert.Equal(0.5, msd.SampleWeight);

        File.WriteAllText(folder.File("dataset.json"), """{ "channel_names": {"0": "T2"}, "labels": {"background": 0, "prostate": 1} }""");
        var v2 = new DecathlonFolderSource(folder.Path, "pro").ReadDeclaration("T2-MRI");
        Assert.Equal([new LabelDeclaration(1, "pro/prostate")], v2.Labels);
        Assert.Equal(["T2-MRI"], v2.Modalities);

        File.WriteAllText(folder.File("dataset.json"), """{ "channel_names": {"0": "CT"}, "labels": {"background": 0, "kidney": [1, 2]} }""");
        var regions = Assert.Throws<DatasetFormatException>(() => new DecathlonFolderSource(folder.Path, "k").ReadDeclaration());
        Assert.Contains(folder.File("dataset.json"), regions.Message);
        Assert.Contains("region labels", regions.Message);
    }

    [Fact]
    public void NnUNetChannelFilesArePairedWithoutDatasetJson()
    {
        using var folder = new TemporaryFolder();
        var label = SyntheticCases.Write(folder.File("labelsTr/p1.nii.gz"), SmallLabel, 6, 5, 4);
        var ch0 = SyntheticCases.Write(folder.File("imagesTr/p1_0000.nii.gz"), SyntheticCases.ImageFromLabel(SmallLabel), 6, 5, 4);
        var ch1 = SyntheticCases.Write(folder.File("imagesTr/p1_0001.nii.gz"), SmallLabel.Select(v => -1f * v).ToArray(), 6, 5, 4);

        var only = Assert.Single(new DecathlonFolderSource(folder.Path, "a").ListCases());
        Assert.Equal([ch0, ch1], only.ImagePaths);
        Assert.Equal(label, only.LabelPath);

        var cache = new PreprocessingCache(folder.File("cache"), SyntheticCases.Catalog(), SyntheticCases.Raw);
        using var c = cache.Open(only);
        Assert.Equal([2, 4, 5, 6], c.Shape);
        using var image = c.ReadImage();
        Assert.Equal(20.0, image[0, 0, 0, 5].ToDouble());
        Assert.Equal(-2.0, image[1, 0, 0, 5].ToDouble());
    }

    [SkippableFact]
    public void ManifestOfTheSharedDataIsRead()
    {
        var data = SharedAssets.RequireData();
        var catalog = new TaskCatalog();
        catalog.Vocabulary.AddModality("CT");
        catalog.Vocabulary.AddModality("T1-MRI");
        catalog.Add(new DatasetDeclaration { Name = "msd_hippocampus", Modalities = ["T1-MRI"], Labels = [new(1, "hippocampus/anterior"), new(2, "hippocampus/posterior")] });
        catalog.Add(new DatasetDeclaration { Name = "msd_spleen_crop", Modalities = ["CT"], Labels = [new(1, "spleen/spleen")] });
        var cases = new ManifestSource(Path.Combine(data, "manifest.tsv"), "msd_hippocampus", "msd_spleen_crop").ListCases();
        Assert.Equal(120, cases.Count(c => c.Dataset == "msd_hippocampus"));
        var spleen = Assert.Single(cases, c => c.Dataset == "msd_spleen_crop");
        Assert.Equal(Path.Combine(data, "msd_spleen_crop", "labelsTr"), Path.GetDirectoryName(spleen.LabelPath));
        Assert.True(File.Exists(spleen.LabelPath));

        using var folder = new TemporaryFolder();
        var cache = new PreprocessingCache(folder.Path, catalog, new PreprocessingOptions());
        using var s = cache.Open(spleen);
        // 164×166×26 at 0.795×0.795×5 mm → 1.5 mm: round(164·0.795/1.5) = 87, round(166·0.795/1.5) = 88, round(26·5/1.5) = 87.
        Assert.Equal([1, 87, 88, 87], s.Shape);
        Assert.Equal([1], s.VoxelCounts.Keys);
        Assert.All(s.Geometry.Spacing, sp => Assert.Equal(1.5, sp, 6));
        Assert.True(s.Geometry.Orientation.IsCanonical);
        using var image = s.ReadImage();
        Assert.Equal(0.0, image.mean().ToDouble(), 4);
        Assert.Equal(1.0, image.std(unbiased: false).ToDouble(), 4);
        // The spleen covers 13.7 % of the native voxels; nearest resampling keeps the fraction.
        Assert.InRange(s.VoxelCounts[1] / (double)(87 * 88 * 87), 0.12, 0.155);

        var hippo = cases.First(c => c.Dataset == "msd_hippocampus");
        using var h = cache.Open(hippo);
        Assert.Equal([1, 2], h.VoxelCounts.Keys.Order());
        Assert.Equal("T1-MRI", h.Modality);
    }

    [Fact]
    public void UndeclaredLabelValueNamesFileAndValues()
    {
        using var folder = new TemporaryFolder();
        var label = SyntheticCases.Label(6, 5, 4, (z, y, x) => x == 0 ? 3 : x == 1 ? 7 : x == 2 ? 1 : 0);
        var c = SyntheticCases.WritePair(folder.Path, "a", "bad", label, 6, 5, 4);
        var cache = new PreprocessingCache(folder.File("cache"), SyntheticCases.Catalog(), SyntheticCases.Raw);
        var ex = Assert.Throws<DatasetFormatException>(() => cache.Open(c));
        Assert.Contains(c.LabelPath, ex.Message);
        Assert.Contains("value(s) 3, 7", ex.Message);
        Assert.Contains("'a'", ex.Message);
        Assert.Equal([c.LabelPath], ex.Files);
        Assert.Empty(Directory.GetFiles(folder.File("cache")));
    }

    [Fact]
    public void NonIntegerLabelIsRejected()
    {
        using var folder = new TemporaryFolder();
        var img = SyntheticCases.Write(folder.File("imagesTr/f.nii.gz"), new float[24], 4, 3, 2);
        var lab = SyntheticCases.Write(folder.File("labelsTr/f.nii.gz"), Enumerable.Repeat(0.5f, 24).ToArray(), 4, 3, 2);
        var cache = new PreprocessingCache(folder.File("cache"), SyntheticCases.Catalog(), SyntheticCases.Raw);
        var ex = Assert.Throws<DatasetFormatException>(() => cache.Open(new CaseReference("a", "f", [img], lab)));
        Assert.Contains(lab, ex.Message);
        Assert.Contains("non-integer", ex.Message);
    }

    [Fact]
    public void ShapeMismatchNamesBothFiles()
    {
        using var folder = new TemporaryFolder();
        var img = SyntheticCases.Write(folder.File("imagesTr/s.nii.gz"), new float[6 * 5 * 4], 6, 5, 4);
        var lab = SyntheticCases.Write(folder.File("labelsTr/s.nii.gz"), new byte[6 * 5 * 3], 6, 5, 3);
        var cache = new PreprocessingCache(folder.File("cache"), SyntheticCases.Catalog(), SyntheticCases.Raw);
        var ex = Assert.Throws<DatasetFormatException>(() => cache.Open(new CaseReference("a", "s", [img], lab)));
        Assert.Contains(img, ex.Message);
        Assert.Contains(lab, ex.Message);
        Assert.Contains("shape (6, 5, 3)", ex.Message);
        Assert.Equal([img, lab], ex.Files);
    }

    [Fact]
    public void AffineMismatchNamesBothFiles()
    {
        using var folder = new TemporaryFolder();
        var img = SyntheticCases.Write(folder.File("imagesTr/s.nii.gz"), new float[6 * 5 * 4], 6, 5, 4, [1.0, 1.0, 1.0]);
        var lab = SyntheticCases.Write(folder.File("labelsTr/s.nii.gz"), new byte[6 * 5 * 4], 6, 5, 4, [1.0, 1.0, 2.5]);
        var cache = new PreprocessingCache(folder.File("cache"), SyntheticCases.Catalog(), SyntheticCases.Raw);
        var ex = Assert.Throws<DatasetFormatException>(() => cache.Open(new CaseReference("a", "s", [img], lab)));
        Assert.Contains(img, ex.Message);
        Assert.Contains(lab, ex.Message);
        Assert.Contains("different affines", ex.Message);
    }

    [Fact]
    public void EmptyOrMissingFoldersAreReported()
    {
        using var folder = new TemporaryFolder();
        var missing = Assert.Throws<DatasetFormatException>(() => new DecathlonFolderSource(folder.Path, "a").ListCases());
        Assert.Contains(Path.Combine(folder.Path, "imagesTr"), missing.Message);

        Directory.CreateDirectory(folder.File("imagesTr"));
        Directory.CreateDirectory(folder.File("labelsTr"));
        var empty = Assert.Throws<DatasetFormatException>(() => new DecathlonFolderSource(folder.Path, "a").ListCases());
        Assert.Contains("no image/label pairs", empty.Message);
        Assert.Contains(folder.File("labelsTr"), empty.Files);

        SyntheticCases.Write(folder.File("labelsTr/orphan.nii.gz"), SmallLabel, 6, 5, 4);
        var orphan = Assert.Throws<DatasetFormatException>(() => new DecathlonFolderSource(folder.Path, "a").ListCases());
        Assert.Contains(folder.File("labelsTr/orphan.nii.gz"), orphan.Message);
        Assert.Contains("has no image", orphan.Message);

        File.Delete(folder.File("labelsTr/orphan.nii.gz"));
        SyntheticCases.Write(folder.File("imagesTr/lonely.nii.gz"), new float[120], 6, 5, 4);
        var lonely = Assert.Throws<DatasetFormatException>(() => new DecathlonFolderSource(folder.Path, "a").ListCases());
        Assert.Contains(folder.File("imagesTr/lonely.nii.gz"), lonely.Message);
    }

    [Fact]
    public void UnreadableFileIsNamed()
    {
        using var folder = new TemporaryFolder();
        var c = SyntheticCases.WritePair(folder.Path, "a", "ok", SmallLabel, 6, 5, 4);
        File.WriteAllBytes(c.ImagePaths[0], [0x1f, 0x8b, 8, 0, 1, 2, 3, 4, 5]);
        var cache = new PreprocessingCache(folder.File("cache"), SyntheticCases.Catalog(), SyntheticCases.Raw);
        var ex = Assert.Throws<DatasetFormatException>(() => cache.Open(c));
        Assert.Contains(c.ImagePaths[0], ex.Message);
        Assert.Contains("Cannot read the image", ex.Message);
        Assert.NotNull(ex.InnerException);

        var manifest = folder.File("manifest.tsv");
        File.WriteAllText(manifest, "dataset\tcase_id\timage\tlabel\na\tx\timagesTr/nothere.nii.gz\tlabelsTr/ok.nii.gz\n");
        var m = Assert.Throws<DatasetFormatException>(() => new ManifestSource(manifest, "a").ListCases());
        Assert.Contains(folder.File("imagesTr/nothere.nii.gz"), m.Message);
        Assert.Contains("line 2", m.Message);
    }

    [Fact]
    public void ModalityNotDeclaredByTheDatasetIsRejected()
    {
        using var folder = new TemporaryFolder();
        var c = SyntheticCases.WritePair(folder.Path, "a", "m", SmallLabel, 6, 5, 4) with { Modality = "T2-MRI" };
        var cache = new PreprocessingCache(folder.File("cache"), SyntheticCases.Catalog(), SyntheticCases.Raw);
        var ex = Assert.Throws<DatasetFormatException>(() => cache.Open(c));
        Assert.Contains("modality 'T2-MRI'", ex.Message);
    }
}
