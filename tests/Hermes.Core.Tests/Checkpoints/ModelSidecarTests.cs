using System.Text.Json.Nodes;
using Hermes.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;
using static TorchSharp.torch.nn;
using Hermes.Preprocessing;

namespace Hermes.Core.Tests.Checkpoints;

public sealed class ModelSidecarTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "hermes-sc-" + Guid.NewGuid().ToString("N"));

    public ModelSidecarTests() => Directory.CreateDirectory(folder);

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static ModelSidecar Sample() => new()
    {
        Architecture = "hermes-r",
        ArchitectureOptions = new JsonObject
        {
            ["base_chan"] = 32,
            ["num_block"] = new JsonArray(2, 2, 2, 2),
            ["prior_layers"] = new JsonObject { ["heads"] = 4, ["l"] = 10 },
            ["dropout"] = 0.1,
        },
        Tasks = ["amos_spleen", "amos_kidney_r", "bcv_liver", "lits_tumor"],
        Modalities = ["CT", "PET", "T1-MRI", "T2-MRI", "cine-MRI", "unknown-MR"],
        Preprocessing = new SidecarPreprocessing(
            [1.5, 1.5, 1.5],
            new Dictionary<string, IntensityNormalization>
            {
                ["CT"] = IntensityNormalization.Ct,
                ["PET"] = IntensityNormalization.PercentileClip,
                ["T1-MRI"] = IntensityNormalization.PercentileClip,
                ["T2-MRI"] = IntensityNormalization.PercentileClip,
                ["cine-MRI"] = IntensityNormalization.PercentileClip,
                ["unknown-MR"] = new(IntensityClipMode.None, 0, 0, ZScore: true),
            },
            [128, 128, 128]),
    };

    [Fact]
    public void SaveThenLoadRestoresEveryField()
    {
        var path = Path.Combine(folder, "model.json");
        var original = Sample();
        original.Save(path);
        var loaded = ModelSidecar.Load(path);

        Assert.Equal(ModelSidecar.CurrentFormatVersion, loaded.FormatVersion);
        Assert.Equal("hermes-r", loaded.Architecture);
        Assert.True(JsonNode.DeepEquals(original.ArchitectureOptions, loaded.ArchitectureOptions), loaded.ArchitectureOptions.ToJsonString());
        Assert.Equal(original.Tasks, loaded.Tasks);
        Assert.Equal(original.Modalities, loaded.Modalities);
        Assert.Equal(original.Preprocessing.TargetSpacing, loaded.Preprocessing.TargetSpacing);
        Assert.Equal(original.Preprocessing.PatchSize, loaded.Preprocessing.PatchSize);
        Assert.Equal(original.Preprocessing.Normalization.OrderBy(kv => kv.Key), loaded.Preprocessing.Normalization.OrderBy(kv => kv.Key));
        Assert.Equal(new IntensityNormalization(IntensityClipMode.FixedRange, -991, 500), loaded.Preprocessing.Normalization["CT"]);
        Assert.Equal(["model.json"], Directory.GetFiles(folder).Select(Path.GetFileName));

        var json = JsonNode.Parse(File.ReadAllText(path))!;
        Assert.Equal("hermes-model", (string?)json["format"]);
        Assert.Equal(2.0, (double)json["preprocessing"]!["normalization"]!["PET"]!["lower"]!);
    }

    public static TheoryData<string, string, string> Corruptions => new()
    {
        { "format_version", "2", "format_version" },
        { "format_version", "\"1\"", "format_version" },
        { "format", "\"something-else\"", "format" },
        { "tasks", null!, "tasks" },
        { "architecture", "{\"options\":{}}", "architecture.name" },
        { "preprocessing.target_spacing", "[1.5, 1.5]", "preprocessing.target_spacing" },
        { "preprocessing.target_spacing", "[1.5, -1, 1.5]", "preprocessing.target_spacing" },
        { "preprocessing.patch_size", "[128, 128.5, 128]", "preprocessing.patch_size" },
        { "preprocessing.normalization.CT.clip", "\"window\"", "preprocessing.normalization.CT.clip" },
        { "preprocessing.normalization.CT.lower", "600", "preprocessing.normalization.CT" },
        { "preprocessing.normalization.PET", null!, "preprocessing.normalization" },
        { "preprocessing.normalization.XRAY", "{\"clip\":\"none\",\"zscore\":true}", "preprocessing.normalization.XRAY" },
        { "modalities", "[\"CT\", \"CT\"]", "modalities" },
    };

    [Theory]
    [MemberData(nameof(Corruptions))]
    public void InvalidOrUnknownSidecarIsRejectedNamingTheField(string field, string? replacement, string expectedField)
    {
        var path = Path.Combine(folder, "model.json");
        Sample().Save(path);
        var root = JsonNode.Parse(File.ReadAllText(path))!.AsObject();
        var parts = field.Split('.');
        var parent = root;
        foreach (var p in parts[..^1])
        {
            parent = parent[p]!.AsObject();
        }

        if (replacement is null)
        {
            parent.Remove(parts[^1]);
        }
        else
        {
            parent[parts[^1]] = JsonNode.Parse(replacement);
        }

        File.WriteAllText(path, root.ToJsonString());
        var e = Assert.Throws<CheckpointFormatException>(() => ModelSidecar.Load(path));
        Assert.Equal(expectedField, e.Field);
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void MalformedJsonAndInvalidSaveAreReported()
    {
        var path = Path.Combine(folder, "model.json");
        File.WriteAllText(path, "{\"format\": \"hermes-model\", ");
        Assert.Equal("JSON", Assert.Throws<CheckpointFormatException>(() => ModelSidecar.Load(path)).Field);

        var invalid = Sample() with { Tasks = [] };
        var other = Path.Combine(folder, "other.json");
        Assert.Contains("tasks", Assert.Throws<ArgumentException>(() => invalid.Save(other)).Message);
        Assert.False(File.Exists(other));
    }

    [Fact]
    public void CheckpointWriterSavesWeightsAndSidecarThatLoadIntoAFreshModel()
    {
        using var scope = NewDisposeScope();
        static Module<Tensor, Tensor> Build() => Sequential(("conv", Conv3d(1, 4, 3)), ("norm", BatchNorm3d(4)), ("head", Conv3d(4, 2, 1)));
        var model = Build();
        using (no_grad())
        {
            model.state_dict()["norm.running_mean"].copy_(tensor(new[] { 1f, 2f, 3f, 4f }));
        }

        var weights = Path.Combine(folder, "hermes.safetensors");
        CheckpointWriter.Save(weights, model, Sample());

        Assert.True(File.Exists(Path.Combine(folder, "hermes.json")));
        Assert.Equal("hermes-r", SafeTensors.ReadMetadata(weights)["hermes.architecture"]);
        var (stateDict, sidecar) = CheckpointReader.Load(weights);
        Assert.Equal(Sample().Tasks, sidecar.Tasks);

        var fresh = Build();
        Assert.True(StateDictLoader.Load(fresh, stateDict).IsExact);
        foreach (var (name, t) in model.state_dict())
        {
            Assert.True(t.equal(fresh.state_dict()[name]).all().item<bool>(), name);
        }

        Assert.Equal(new[] { 1f, 2f, 3f, 4f }, fresh.state_dict()["norm.running_mean"].data<float>().ToArray());
        Assert.Throws<ArgumentException>(() => CheckpointWriter.Save(Path.Combine(folder, "x.pt"), model, Sample()));
        Assert.Equal(2, Directory.GetFiles(folder).Length);
    }
}
