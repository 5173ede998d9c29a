using System.Globalization;
using System.Text.Json;
using Hermes.Abstractions;
using Hermes.Backbones;
using Hermes.Checkpoints;
using Hermes.IO;
using Hermes.Volumes;
using static TorchSharp.torch;

namespace Hermes.Cli.Tests.FineTuning;

/// <summary>
/// Once per test collection: two synthetic 32³ CT cases as the built-in <c>amos_ct</c> dataset (boxes labelled 1–3:
/// amos/spleen, amos/right_kidney, amos/left_kidney), a tiny Hermes-R (base 8) trained on them for 3 steps with
/// <c>hermes train</c>, and that model extended with <c>hermes extend</c> by a task and a modality.
/// </summary>
public sealed class TrainedModelFixture : IDisposable
{
    public const string NewTask = "amos/new_organ";
    public const string NewTaskSource = "amos/liver";
    public const string NewModality = "US";

    public TrainedModelFixture()
    {
        Folder = Directory.CreateTempSubdirectory("hermes-finetune-test").FullName;
        Manifest = WriteCases(Path.Combine(Folder, "data"));
        Trained = Path.Combine(Folder, "run0", "model.safetensors");
        Extended = Path.Combine(Folder, "extended", "extended.safetensors");
        var clock = System.Diagnostics.Stopwatch.StartNew();
        (TrainOutput, var error) = Run("train", "--config", Config("run0"));
        Assert.True(File.Exists(Trained), $"no trained model:\n{TrainOutput}\n{error}");
        TrainSeconds = clock.Elapsed.TotalSeconds;
        (ExtendOutput, error) = Run("extend", "--model", Trained, "--add-task", $"{NewTask}={NewTaskSource}",
            "--add-modality", $"{NewModality}=CT", "--output", Extended);
        Assert.True(File.Exists(Extended), $"no extended model:\n{ExtendOutput}\n{error}");
    }

    /// <summary>The temporary folder of the collection.</summary>
    public string Folder { get; }

    /// <summary>The manifest of the two cases.</summary>
    public string Manifest { get; }

    /// <summary><c>run0/model.safetensors</c>: the model <c>hermes train</c> wrote.</summary>
    public string Trained { get; }

    /// <summary>The extended model.</summary>
    public string Extended { get; }

    /// <summary>Standard output of the first training.</summary>
    public string TrainOutput { get; }

    /// <summary>Wall time of the first training process.</summary>
    public double TrainSeconds { get; }

    /// <summary>Standard output of <c>hermes extend</c>.</summary>
    public string ExtendOutput { get; }

    /// <summary>Runs <c>hermes</c> and fails the test unless it exits with 0.</summary>
    public static (string Output, string Error) Run(params string[] args)
    {
        var (code, output, error) = HermesProcess.Run(TimeSpan.FromMinutes(8), args);
        Assert.True(code == 0, $"hermes {string.Join(' ', args)} exited with {code}:\n{output}\n{error}");
        return (output, error);
    }

    /// <summary>Writes a configuration that trains 3 steps (batch 1, no warm-up) into <c>Folder/run</c> and returns its path.</summary>
    public string Config(string run, double learningRate = 0.002)
    {
        var path = Path.Combine(Folder, run + ".json");
        var training = new Dictionary<string, object>
        {
            ["Manifest"] = Manifest,
            ["Datasets"] = new[] { "amos_ct" },
            ["Epochs"] = 1,
            ["StepsPerEpoch"] = 3,
            ["BatchSize"] = 1,
            ["WarmupEpochs"] = 0,
            ["LearningRate"] = learningRate,
            ["OutputDirectory"] = Path.Combine(Folder, run),
        };
        var root = new Dictionary<string, object>
        {
            ["Hermes"] = new Dictionary<string, object>
            {
                ["Backbone"] = "resunet",
                ["BaseChannels"] = 8,
                ["PatchSize"] = new[] { 32, 32, 32 },
                ["Training"] = training,
            },
        };
        File.WriteAllText(path, JsonSerializer.Serialize(root));
        return path;
    }

    /// <summary>Loads a model file written by the CLI (Hermes-R, base 8, its sidecar's tn and mn).</summary>
    public static UniversalSegmenter Load(string path, out ModelSidecar sidecar)
    {
        var (state, loaded) = CheckpointReader.Load(path);
        sidecar = loaded;
        try
        {
            var model = Build(loaded);
            StateDictLoader.Load(model, state);
            return model;
        }
        finally
        {
            foreach (var t in state.Values)
            {
                t.Dispose();
            }
        }
    }

    /// <summary>An untrained model of the architecture a CLI sidecar describes (for parameter names and parts).</summary>
    public static UniversalSegmenter Build(ModelSidecar sidecar)
    {
        Assert.Equal("hermes-r", sidecar.Architecture);
        var o = sidecar.ArchitectureOptions;
        using var doc = JsonDocument.Parse(string.Create(CultureInfo.InvariantCulture,
            $$"""{ "arch": "resunet", "in_chan": {{o["in_chan"]}}, "base_chan": {{o["base_chan"]}}, "tn": {{o["tn"]}}, "mn": {{o["mn"]}} }"""));
        return HermesModelFactory.FromConfig(doc.RootElement);
    }


    public void Dispose() => Directory.Delete(Folder, recursive: true);

    private static string WriteCases(string folder)
    {
        Directory.CreateDirectory(folder);
        var rows = new List<string> { "dataset\tcase_id\tmodality\timage\tlabel" };
        for (var i = 0; i < 2; i++)
        {
            using var scope = NewDisposeScope();
            var labels = zeros([32, 32, 32], ScalarType.Byte);
            labels[TensorIndex.Slice(4 + i, 14), TensorIndex.Slice(6, 18), TensorIndex.Slice(5, 15)] = tensor((byte)1);
            labels[TensorIndex.Slice(16, 28), TensorIndex.Slice(4, 12), TensorIndex.Slice(18, 27 - i)] = tensor((byte)2);
            labels[TensorIndex.Slice(18, 26), TensorIndex.Slice(20, 30), TensorIndex.Slice(6, 14)] = tensor((byte)3);
            var generator = new Generator((ulong)(100 + i));
            var image = labels.to(ScalarType.Float32).mul(60).add(randn([32, 32, 32], generator: generator).mul(25)).sub(40);
            var geometry = VolumeGeometry.Create([32, 32, 32], [1.5, 1.5, 1.5]);
            var id = string.Create(CultureInfo.InvariantCulture, $"case{i}");
            using (var imageVolume = new Volume(image, geometry))
            {
                VolumeIO.Write(imageVolume, Path.Combine(folder, id + "_image.nii.gz"));
            }

            using (var labelVolume = new Volume(labels, geometry))
            {
                VolumeIO.Write(labelVolume, Path.Combine(folder, id + "_label.nii.gz"), new VolumeWriteOptions { IsLabel = true });
            }

            rows.Add($"amos_ct\t{id}\tCT\t{Path.Combine(folder, id + "_image.nii.gz")}\t{Path.Combine(folder, id + "_label.nii.gz")}");
        }

        var manifest = Path.Combine(folder, "manifest.tsv");
        File.WriteAllLines(manifest, rows);
        return manifest;
    }
}

/// <summary>The tests that share one trained and extended model (they run one after another).</summary>
[CollectionDefinition(Name)]
public sealed class TrainedModelCollection : ICollectionFixture<TrainedModelFixture>
{
    public const string Name = "Trained and extended tiny model";
}
