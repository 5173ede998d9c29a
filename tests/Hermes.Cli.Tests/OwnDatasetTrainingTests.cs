using System.Globalization;
using System.Text.Json.Nodes;
using Hermes.Testing;

namespace Hermes.Cli.Tests;

/// <summary>
/// <c>hermes train</c> on datasets of your own (<c>Hermes:Training:CustomDatasets</c>): an MSD folder of shared hippocampus
/// cases whose <c>dataset.json</c> names its own labels and a modality the built-in catalog lacks, together with the shared
/// spleen crop (manifest rows) labelled as the built-in <c>amos/spleen</c>; the trained model knows the new task and modality
/// names, and <c>hermes predict</c> + <c>hermes evaluate</c> run with them. A broken entry stops the run before any file is
/// written.
/// </summary>
public sealed class OwnDatasetTrainingTests : IDisposable
{
    private static readonly string[] Cases = ["hippocampus_001", "hippocampus_004", "hippocampus_006"];
    private readonly string folder = Directory.CreateTempSubdirectory("hermes-own-data").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [SkippableFact]
    public void TrainPredictAndEvaluateWithOwnTaskNames()
    {
        var data = SharedAssets.RequireData();
        var msd = Path.Combine(folder, "Dataset104_Hippo");
        foreach (var sub in new[] { "imagesTr", "labelsTr" })
        {
            Directory.CreateDirectory(Path.Combine(msd, sub));
            foreach (var c in Cases)
            {
                File.Copy(Path.Combine(data, "msd_hippocampus", sub, c + ".nii.gz"), Path.Combine(msd, sub, c + ".nii.gz"));
            }
        }

        File.WriteAllText(Path.Combine(msd, "dataset.json"), $$"""
            {
              "name": "Hippocampus", "modality": { "0": "MRI" },
              "labels": { "0": "background", "1": "head", "2": "body" },
              "training": [ {{string.Join(", ", Cases.Select(c => $"{{ \"image\": \"./imagesTr/{c}.nii.gz\", \"label\": \"./labelsTr/{c}.nii.gz\" }}"))}} ]
            }
            """);
        var run = Path.Combine(folder, "run");
        var config = WriteConfig(run, $$"""
            { "Name": "hippo", "Folder": "{{msd}}" },
            { "Name": "myspleen", "Manifest": "{{Path.Combine(data, "manifest.tsv")}}", "ManifestDataset": "msd_spleen_crop",
              "Modality": "CT", "Labels": { "1": "amos/spleen" }, "SampleWeight": 0.5 }
            """);

        var (code, stdout, stderr) = HermesProcess.Run(TimeSpan.FromMinutes(5), "train", "--config", config);
        Assert.True(code == 0, $"{stdout}\n{stderr}");
        Assert.Contains("dataset hippo: 3 cases, modality MRI (new, id 5); labels 1 → hippo/head (task 71), 2 → hippo/body (task 72)", stdout);
        Assert.Contains("dataset myspleen: 1 cases, modality CT (id 0); labels 1 → amos/spleen (task 4, shared)", stdout);
        Assert.Contains("trained 3 steps", stdout);

        // The model's sidecar carries the merged vocabulary: the built-in 71 tasks, then the dataset's own.
        var model = Path.Combine(run, "model.safetensors");
        var sidecar = JsonNode.Parse(File.ReadAllText(Path.Combine(run, "model.json")))!;
        var tasks = sidecar["tasks"]!.AsArray().Select(t => t!.GetValue<string>()).ToList();
        Assert.Equal(73, tasks.Count);
        Assert.Equal(["hippo/head", "hippo/body"], tasks[71..]);
        Assert.Equal("amos/spleen", tasks[4]);
        Assert.Equal("MRI", sidecar["modalities"]!.AsArray()[5]!.GetValue<string>());

        var input = Path.Combine(folder, "input");
        var reference = Path.Combine(folder, "reference");
        Directory.CreateDirectory(input);
        Directory.CreateDirectory(reference);
        File.Copy(Path.Combine(msd, "imagesTr", Cases[0] + ".nii.gz"), Path.Combine(input, Cases[0] + ".nii.gz"));
        File.Copy(Path.Combine(msd, "labelsTr", Cases[0] + ".nii.gz"), Path.Combine(reference, Cases[0] + ".nii.gz"));
        var predictions = Path.Combine(folder, "pred");
        (code, stdout, stderr) = HermesProcess.Run(TimeSpan.FromMinutes(3), "predict", "--model", model, "--input", input,
            "--tasks", "hippo/head,hippo/body", "--modality", "MRI", "--output", predictions);
        Assert.True(code == 0, $"{stdout}\n{stderr}");
        var labels = JsonNode.Parse(File.ReadAllText(Path.Combine(predictions, "labels.json")))!.AsObject();
        Assert.Equal(1, labels["hippo/head"]!.GetValue<int>());
        Assert.Equal(2, labels["hippo/body"]!.GetValue<int>());

        // The dataset's label values are the same as the model's output labels here, so the reference is the MSD label map.
        var report = Path.Combine(folder, "report.csv");
        (code, stdout, stderr) = HermesProcess.Run(TimeSpan.FromMinutes(2), "evaluate", "--pred", predictions, "--ref", reference,
            "--labels", Path.Combine(predictions, "labels.json"), "--metrics", "dice", "--out", report);
        Assert.True(code == 0, $"{stdout}\n{stderr}");
        Assert.Contains($"{Cases[0]}: evaluated 1/1", stderr); // progress, one line a case
        var rows = File.ReadAllLines(report).Skip(1).Select(l => l.Split(',')).ToList();
        Assert.Equal(["hippo/body", "hippo/head"], rows.Select(r => r[1]).Order(StringComparer.Ordinal));
        Assert.All(rows, r =>
        {
            Assert.Equal(Cases[0], r[0]);
            Assert.Equal("dice", r[2]);
            Assert.InRange(double.Parse(r[3], CultureInfo.InvariantCulture), 0.0, 1.0);
        });
    }

    [SkippableFact]
    public void BrokenDatasetStopsTheRunBeforeAnyFileIsWritten()
    {
        var data = SharedAssets.RequireData();
        var msd = Path.Combine(folder, "NoJson");
        Directory.CreateDirectory(Path.Combine(msd, "imagesTr"));
        Directory.CreateDirectory(Path.Combine(msd, "labelsTr"));
        var run = Path.Combine(folder, "run");

        // A folder without dataset.json and without Labels in the configuration.
        var config = WriteConfig(run, $$"""{ "Name": "mine", "Folder": "{{msd}}", "Modality": "CT" }""");
        var (code, stdout, stderr) = HermesProcess.Run(TimeSpan.FromMinutes(2), "train", "--config", config);
        Assert.Equal(2, code);
        Assert.Contains("Hermes:Training:CustomDatasets:0 ('mine'):", stderr);
        Assert.Contains("dataset.json' does not exist", stderr);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.False(Directory.Exists(run), stdout);

        // An image that is not a volume: the run stops naming the file and removes the output directory it created.
        var corrupt = Path.Combine(folder, "Corrupt");
        Directory.CreateDirectory(Path.Combine(corrupt, "imagesTr"));
        Directory.CreateDirectory(Path.Combine(corrupt, "labelsTr"));
        File.Copy(Path.Combine(data, "msd_hippocampus", "labelsTr", "hippocampus_001.nii.gz"), Path.Combine(corrupt, "labelsTr", "case1.nii.gz"));
        File.WriteAllBytes(Path.Combine(corrupt, "imagesTr", "case1.nii.gz"), [.. Enumerable.Repeat((byte)0x5A, 4000)]);
        config = WriteConfig(run, $$"""{ "Name": "mine", "Folder": "{{corrupt}}", "Modality": "MRI", "Labels": { "1": "a", "2": "b" } }""");
        (code, stdout, stderr) = HermesProcess.Run(TimeSpan.FromMinutes(2), "train", "--config", config);
        Assert.Equal(1, code);
        Assert.Contains(Path.Combine(corrupt, "imagesTr", "case1.nii.gz"), stderr);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.False(Directory.Exists(run), stdout);

        // A manifest entry without a modality fails at start-up, naming the field.
        config = WriteConfig(run, $$"""{ "Name": "mine", "Manifest": "{{Path.Combine(data, "manifest.tsv")}}", "Labels": { "1": "x" } }""");
        (code, _, stderr) = HermesProcess.Run(TimeSpan.FromMinutes(2), "train", "--config", config);
        Assert.Equal(2, code);
        Assert.Contains("Hermes:Training:CustomDatasets:0:Modality = null is invalid: expected a modality name", stderr);
        Assert.False(Directory.Exists(run));

        // Three image channels per case (DWI, ADC, FLAIR), one input channel configured.
        config = WriteConfig(run, $$"""
            { "Name": "stroke", "Manifest": "{{Path.Combine(data, "manifest.tsv")}}", "ManifestDataset": "isles22_stroke", "Modality": "MRI", "Labels": { "1": "lesion" } }
            """);
        (code, _, stderr) = HermesProcess.Run(TimeSpan.FromMinutes(2), "train", "--config", config);
        Assert.Equal(2, code);
        Assert.Contains("of dataset 'stroke' has 3 image channel(s)", stderr);
        Assert.Contains("Hermes:InputChannels is 1", stderr);
        Assert.False(Directory.Exists(run));
    }

    private string WriteConfig(string run, string customDatasets)
    {
        var config = Path.Combine(folder, "train.json");
        File.WriteAllText(config, $$"""
            {
              "Hermes": {
                "Backbone": "resunet", "BaseChannels": 4, "PatchSize": [32, 32, 32],
                "Training": { "CustomDatasets": [ {{customDatasets}} ],
                              "Epochs": 1, "StepsPerEpoch": 3, "BatchSize": 1, "WarmupEpochs": 0, "OutputDirectory": "{{run}}" }
              }
            }
            """);
        return config;
    }
}
