using System.Text.Json.Nodes;
using Hermes.Checkpoints;
using Hermes.Data;
using Hermes.Inference;
using Hermes.IO;
using Hermes.Preprocessing;
using Hermes.Transfer;
using Hermes.Volumes;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Core.Tests;

/// <summary>
/// Files and names from data treated as hostile (issue #24): detached headers cannot read outside their folder, names from a
/// sidecar cannot place files outside the output folder, new vocabulary names follow one rule, and an input with NaN voxels
/// is refused (or explicitly repaired) instead of giving an empty segmentation.
/// </summary>
public sealed class HostileInputTests : IDisposable
{
    private readonly string root = Directory.CreateTempSubdirectory("hermes-hostile-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    public static TheoryData<string, string> DetachedHeaders => new()
    {
        { "nhdr", "NRRD0004\ntype: float\ndimension: 3\nsizes: 2 2 2\nspacings: 1 1 1\nencoding: raw\nendian: little\ndata file: {0}\n" },
        { "mhd", "ObjectType = Image\nNDims = 3\nBinaryData = True\nElementSpacing = 1 1 1\nDimSize = 2 2 2\nElementType = MET_FLOAT\nElementDataFile = {0}\n" },
    };

    [Theory]
    [MemberData(nameof(DetachedHeaders))]
    public void DetachedHeadersReadOnlyDataFilesInTheirOwnFolder(string extension, string template)
    {
        // The "secret" sits one folder above the header, as /etc/passwd would; 32 bytes = 2×2×2 floats.
        var secret = Path.Combine(root, "secret.raw");
        File.WriteAllBytes(secret, [.. Enumerable.Range(1, 8).SelectMany(i => BitConverter.GetBytes((float)i))]);
        var headers = Directory.CreateDirectory(Path.Combine(root, "dropped")).FullName;
        File.Copy(secret, Path.Combine(headers, "own.raw"));
        File.CreateSymbolicLink(Path.Combine(headers, "link.raw"), secret);
        string Header(string name, string dataFile)
        {
            var path = Path.Combine(headers, $"{name}.{extension}");
            File.WriteAllText(path, template.Replace("{0}", dataFile, StringComparison.Ordinal));
            return path;
        }

        var field = extension == "nhdr" ? "data file" : "ElementDataFile";
        foreach (var (name, dataFile) in new[] { ("relative", "../secret.raw"), ("absolute", secret), ("link", "link.raw") })
        {
            var header = Header(name, dataFile);
            var e = Assert.Throws<VolumeFormatException>(() => VolumeIO.Read(header));
            Assert.Equal(field, e.Field);
            Assert.Equal(dataFile, e.Value);
            Assert.Contains("AllowDataFileOutsideHeaderFolder", e.Message, StringComparison.Ordinal);
            Assert.Equal(VolumeReadSetting.AllowDataFileOutsideHeaderFolder, e.Setting); // what a front end names as its own switch

            // The caller may opt out, for layouts it trusts.
            using var opted = VolumeIO.Read(header, new VolumeReadOptions { AllowDataFileOutsideHeaderFolder = true });
            Assert.Equal(8f, opted[1, 1, 1]);
        }

        using var own = VolumeIO.Read(Header("own", "own.raw"));
        Assert.Equal(8f, own[1, 1, 1]);
        Assert.Throws<FileNotFoundException>(() => VolumeIO.Read(Header("missing", "missing.raw")));
    }

    [Theory]
    [InlineData("liver", "liver")]
    [InlineData("amos/liver", "amos_liver")]
    [InlineData("../../../ESCAPED_rel", "_.._.._.._ESCAPED_rel")]
    [InlineData("/elsewhere/ESCAPED_abs", "_elsewhere_ESCAPED_abs")]
    [InlineData("..", "_..")]
    [InlineData(".hidden", "_.hidden")]
    [InlineData("", "_")]
    [InlineData("C:\\Windows\\x", "C__Windows_x")]
    [InlineData("Left kidney (L1)", "Left_kidney__L1_")]
    [InlineData("a\0b\nc", "a_b_c")]
    public void NamesFromDataBecomeSafeFileNames(string name, string expected)
    {
        Assert.Equal(expected, SafeFileName.Create(name));
        Assert.True(SafeFileName.IsSafe(expected));
        var folder = Path.Combine(root, "out");
        var full = Path.GetFullPath(Path.Combine(folder, SafeFileName.Create(name) + ".nii.gz"));
        Assert.Equal(folder, Path.GetDirectoryName(full));
    }

    [Theory]
    [InlineData("nii.gz")]
    [InlineData("nrrd")]
    [InlineData("mha")]
    public void AVolumeLargerThanTheVoxelLimitNamesTheLimitsSetting(string extension)
    {
        var folder = Directory.CreateTempSubdirectory("hermes-limit").FullName;
        try
        {
            var path = Path.Combine(folder, $"cube.{extension}");
            using (var cube = new Volume(arange(64, ScalarType.Float32).reshape(4, 4, 4), VolumeGeometry.Create([4, 4, 4], [1, 1, 1])))
            {
                VolumeIO.Write(cube, path);
            }

            var e = Assert.Throws<VolumeFormatException>(() => VolumeIO.Read(path, new VolumeReadOptions { MaxVoxels = 63 }));
            Assert.Equal(VolumeReadSetting.MaxVoxels, e.Setting);
            Assert.Contains(VolumeFormatException.SettingName(VolumeReadSetting.MaxVoxels), e.Message, StringComparison.Ordinal);
            using var read = VolumeIO.Read(path, new VolumeReadOptions { MaxVoxels = 64 });
            Assert.Equal(63f, read.Data.max().item<float>());
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void MappedNamesOfOneFolderAreDistinctAndBounded()
    {
        string[] names = ["amos/liver", "amos_liver", "AMOS_LIVER", "amos/liver-2", new string('x', 500)];
        var stems = SafeFileName.Map(names);
        Assert.Equal(["amos_liver", "amos_liver-2", "AMOS_LIVER-3", "amos_liver-2-2", new string('x', SafeFileName.MaxLength)], stems);
        Assert.Equal(stems.Count, stems.Distinct(StringComparer.OrdinalIgnoreCase).Count());
    }

    [Theory]
    [InlineData("../../evil", "'..'")]
    [InlineData("/abs", "empty")]
    [InlineData("amos//liver", "empty")]
    [InlineData("a,b", "','")]
    [InlineData("a=b", "'='")]
    [InlineData("a\\b", "'\\'")]
    [InlineData(" liver", "white space")]
    [InlineData("", "empty")]
    [InlineData("tab\there", "U+0009")]
    public void NewVocabularyNamesFollowOneRule(string name, string problem)
    {
        Assert.Contains(problem, VocabularyName.Problem(name), StringComparison.Ordinal);
        var e = Assert.Throws<ArgumentException>(() => VocabularyName.Validate(name, "task"));
        Assert.Contains("not a valid task name", e.Message, StringComparison.Ordinal);
        if (name.Length > 0 && !name.Contains('=', StringComparison.Ordinal) && name.Trim() == name)
        {
            Assert.Throws<FormatException>(() => VocabularyAddition.Parse(name)); // hermes extend --add-task fails before loading
        }
    }

    [Theory]
    [InlineData("liver")]
    [InlineData("amos/liver")]
    [InlineData("Left kidney")]
    [InlineData("hippocampus/anterior")]
    public void UsualVocabularyNamesAreAccepted(string name)
    {
        Assert.Null(VocabularyName.Problem(name));
        Assert.Equal(name, VocabularyAddition.Parse(name).Name);
    }

    [Fact]
    public void TaskNamesFromASidecarCannotPlaceMasksOutsideTheOutputFolder()
    {
        string[] hostile = ["../../../ESCAPED_rel", Path.Combine(root, "elsewhere", "ESCAPED_abs")];
        var predictor = new VolumePredictor(Sidecar([.. hostile, "amos/liver"]), (tasks, _) => new ThresholdModel(tasks.Count));
        using var input = Phantom();
        var output = Path.Combine(root, "a", "b", "c", "out");

        var written = predictor.PredictToFolder(input, output, "../case1", new PredictionRequest([.. hostile, "amos/liver"], "CT"));

        Assert.Equal(3, written.Count);
        Assert.All(written, p => Assert.StartsWith(output + Path.DirectorySeparatorChar, Path.GetFullPath(p), StringComparison.Ordinal));
        Assert.Equal(
            ["_.._case1/_.._.._.._ESCAPED_rel.nii.gz", $"_.._case1/{SafeFileName.Create(hostile[1])}.nii.gz", "_.._case1/amos_liver.nii.gz"],
            written.Select(p => Path.GetRelativePath(output, p).Replace('\\', '/')));
        var escaped = Directory.EnumerateFiles(root, "*ESCAPED*", SearchOption.AllDirectories).Where(f => !f.StartsWith(output, StringComparison.Ordinal));
        Assert.Empty(escaped);
    }

    [Fact]
    public void NonFiniteVoxelsAreRefusedOrReplacedWithTheMinimumNeverSilentlyEmpty()
    {
        var predictor = new VolumePredictor(Sidecar(["bright"]), (tasks, _) => new ThresholdModel(tasks.Count));
        using var clean = Phantom();
        using var poisoned = Phantom();
        var flat = poisoned.Data.view(-1);
        var count = flat.numel() / 100; // 1 % of the voxels, in the background
        for (var i = 0; i < count; i++)
        {
            flat[i] = i % 3 == 0 ? float.PositiveInfinity : float.NaN;
        }

        var output = Path.Combine(root, "nan");
        var request = new PredictionRequest(["bright"], "CT");
        var e = Assert.Throws<InvalidDataException>(() => predictor.PredictToFolder(poisoned, output, "case", request));
        var nan = count - ((count + 2) / 3);
        Assert.Contains($"{count} non-finite voxels ({nan} NaN, {count - nan} ±∞) of {flat.numel()}", e.Message, StringComparison.Ordinal);
        Assert.Contains("ReplaceWithMinimum", e.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output), "a refused input left its output folder behind");

        // Replaced by the smallest finite intensity (the background here): the same masks as the clean volume's.
        var replace = new PredictionOptions { NonFiniteVoxels = NonFiniteVoxelHandling.ReplaceWithMinimum };
        using var repaired = predictor.Predict(poisoned, request, replace);
        using var reference = predictor.Predict(clean, request);
        Assert.True(repaired.Masks[0].Data.eq(reference.Masks[0].Data).all().ToBoolean(), "the repaired volume's mask differs from the clean volume's");
        Assert.True(reference.Masks[0].Data.sum().ToInt64() > 0);
        Assert.True(isnan(poisoned.Data).any().ToBoolean(), "the caller's volume was modified");

        using var allNan = new Volume(full([12, 12, 12], float.NaN), clean.Geometry);
        var none = Assert.Throws<InvalidDataException>(() => predictor.Predict(allNan, request, replace));
        Assert.Contains("no finite intensity", none.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void AnUnknownModalityLeavesNoOutputFolder()
    {
        var predictor = new VolumePredictor(Sidecar(["bright"]), (tasks, _) => new ThresholdModel(tasks.Count));
        using var input = Phantom();
        var output = Path.Combine(root, "modality");
        Assert.ThrowsAny<ArgumentException>(() => predictor.PredictToFolder(input, output, "case", new PredictionRequest(["bright"], "PET")));
        Assert.False(Directory.Exists(output));
    }

    /// <summary>Logit = 40·(x − 50) for every requested task.</summary>
    private sealed class ThresholdModel(int tasks) : IWindowPredictor
    {
        public Tensor Predict(Tensor windows, IReadOnlyList<WindowPlacement> placements) =>
            windows.narrow(1, 0, 1).sub(50).mul(40).expand(-1, tasks, -1, -1, -1).contiguous();
    }

    private static ModelSidecar Sidecar(string[] tasks) => new()
    {
        Architecture = "test",
        ArchitectureOptions = new JsonObject(),
        Tasks = tasks,
        Modalities = ["CT"],
        Preprocessing = new SidecarPreprocessing([1, 1, 1],
            new Dictionary<string, IntensityNormalization> { ["CT"] = new(IntensityClipMode.None, 0, 0, ZScore: false) }, [8, 8, 8]),
    };

    /// <summary>A 12³ volume at 1 mm, intensity 0 with a bright (100) 4³ cube in the far corner.</summary>
    private static Volume Phantom()
    {
        var data = zeros([12, 12, 12]);
        data[TensorIndex.Slice(7, 11), TensorIndex.Slice(7, 11), TensorIndex.Slice(7, 11)] = tensor(100f);
        return new Volume(data, VolumeGeometry.Create([12, 12, 12], [1, 1, 1], [0, 0, 0], null));
    }
}
