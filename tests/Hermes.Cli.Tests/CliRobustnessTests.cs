using System.Diagnostics;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Hermes.Backbones;
using Hermes.Checkpoints;
using Hermes.IO;
using Hermes.Volumes;
using TorchSharp;
using static TorchSharp.torch;
using Hermes.Preprocessing;

namespace Hermes.Cli.Tests;

/// <summary>
/// The <c>hermes</c> tool against careless and hostile use (issue #24), run as a process: task names from a sidecar cannot
/// write outside <c>--output</c>; a run that would not train leaves a trained model untouched; an input with NaN voxels is
/// an error, not an empty segmentation; a failed request leaves no output folder; invalid new task names are refused.
/// Every failure is one line on standard error that names the flag or field and the value. SIGINT and SIGTERM stop
/// <c>predict</c> and <c>train</c> cleanly: exit 130, no partial case left, a training checkpoint that resumes.
/// </summary>
public sealed partial class CliRobustnessTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);
    private readonly string root = Directory.CreateTempSubdirectory("hermes-cli-robust-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void SidecarTaskNamesCannotWriteOutsideTheOutputFolder()
    {
        var elsewhere = Path.Combine(root, "elsewhere", "ESCAPED_abs");
        var model = TinyModel(["../../../ESCAPED_rel", elsewhere, "amos/liver"]);
        var image = Image("case1", nan: false);
        var output = Path.Combine(root, "x", "y", "z", "out", "deep");

        var (code, stdout, stderr) = HermesProcess.Run(Timeout, "predict", "--model", model, "--input", image,
            "--tasks", $"../../../ESCAPED_rel,{elsewhere},amos/liver", "--output", output, "--masks");

        Assert.True(code == 0, $"{stdout}\n{stderr}");
        var written = Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Where(f => f.Contains("ESCAPED", StringComparison.Ordinal)).ToArray();
        Assert.Equal(2, written.Length);
        Assert.All(written, f => Assert.StartsWith(output + Path.DirectorySeparatorChar, f, StringComparison.Ordinal));
        var masks = JsonNode.Parse(File.ReadAllText(Path.Combine(output, "masks.json")))!.AsObject();
        Assert.Equal("_.._.._.._ESCAPED_rel.nii.gz", (string)masks["../../../ESCAPED_rel"]!);
        Assert.Equal(SafeFileName.Create(elsewhere) + ".nii.gz", (string)masks[elsewhere]!);
        Assert.Equal("amos_liver.nii.gz", (string)masks["amos/liver"]!);
        Assert.All(masks, m => Assert.True(File.Exists(Path.Combine(output, "case1", (string)m.Value!)), m.Key));

        // evaluate finds the masks by the recorded names (the task names would be paths).
        var refs = Directory.CreateDirectory(Path.Combine(root, "refs")).FullName;
        using (var labels = zeros([20, 30, 40], ScalarType.Int16))
        {
            labels[TensorIndex.Slice(5, 15), TensorIndex.Slice(5, 25), TensorIndex.Slice(5, 35)] = tensor((short)3);
            using var reference = new Volume(labels.clone(), VolumeGeometry.Create([40, 30, 20], [1.5, 1.5, 1.5]));
            VolumeIO.Write(reference, Path.Combine(refs, "case1.nii.gz"), new VolumeWriteOptions { IsLabel = true });
        }

        var report = Path.Combine(root, "report.csv");
        (code, stdout, stderr) = HermesProcess.Run(Timeout, "evaluate", "--pred", output, "--ref", refs, "--labels", Path.Combine(output, "labels.json"), "--metrics", "dice", "--out", report);
        Assert.True(code == 0, $"{stdout}\n{stderr}");
        var tasks = File.ReadAllLines(report).Skip(1).Select(l => l.Split(',')[1]).ToHashSet();
        Assert.Contains("amos/liver", tasks);
        Assert.Equal(3, tasks.Count);
    }

    [Fact]
    public void PredictSavesProbabilitiesOnRequest()
    {
        var model = TinyModel(["liver", "amos/spleen"]);
        var image = Image("p1", nan: false);
        var output = Path.Combine(root, "prob");
        var (code, stdout, stderr) = HermesProcess.Run(Timeout, "predict", "--model", model, "--input", image, "--tasks", "liver,amos/spleen", "--output", output, "--save-probabilities");
        Assert.True(code == 0, $"{stdout}\n{stderr}");
        foreach (var task in new[] { "liver", "amos_spleen" })
        {
            using var map = VolumeIO.Read(Path.Combine(output, "p1_probabilities", task + ".nii.gz"));
            Assert.Equal(VoxelType.Float32, map.Metadata.DiskType);
            Assert.Equal([40, 30, 20], map.Geometry.Shape);
            Assert.True(map.Data.ge(0).all().ToBoolean() && map.Data.le(1).all().ToBoolean());
        }

        (code, stdout, stderr) = HermesProcess.Run(Timeout, "predict", "--model", model, "--input", image, "--tasks", "liver", "--output", output, "--save-probabilities", "float16");
        Assert.True(code == 0, $"{stdout}\n{stderr}");
        Assert.True(File.Exists(Path.Combine(output, "p1_probabilities.npz")));

        (code, _, stderr) = HermesProcess.Run(Timeout, "predict", "--model", model, "--input", image, "--tasks", "liver", "--output", output, "--save-probabilities", "float8");
        Assert.NotEqual(0, code);
        Assert.Contains("float8", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public void UserErrorsAreOneLineNamingTheFlagOrField()
    {
        var model = TinyModel(["liver"]);
        var image = Image("c", nan: false);
        string Predict(params string[] extra)
        {
            var (code, stdout, stderr) = HermesProcess.Run(Timeout, ["predict", "--model", model, "--input", image, "--tasks", "liver", "--output", Path.Combine(root, "o"), .. extra]);
            Assert.True(code != 0, stdout);
            return Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        }

        Assert.Equal("hermes predict: --device banana: expected cpu, cuda or cuda:N.", Predict("--device", "banana"));
        if (!cuda.is_available())
        {
            Assert.StartsWith("hermes predict: --device cuda: CUDA is not available here", Predict("--device", "cuda"), StringComparison.Ordinal);
        }

        var sidecar = Path.ChangeExtension(model, ".json");
        var json = JsonNode.Parse(File.ReadAllText(sidecar))!;
        json["preprocessing"]!["patch_size"] = new JsonArray(4096, 4096, 4096);
        File.WriteAllText(sidecar, json.ToJsonString());
        var line = Predict();
        Assert.Contains("preprocessing.patch_size", line, StringComparison.Ordinal);
        Assert.Contains("[4096, 4096, 4096]", line, StringComparison.Ordinal);

        var pth = Path.Combine(root, "hermes_r.pth");
        File.WriteAllBytes(pth, [0x50, 0x4B, 3, 4]);
        var (pthCode, _, pthError) = HermesProcess.Run(Timeout, "predict", "--model", pth, "--input", image, "--tasks", "liver", "--output", Path.Combine(root, "o"));
        Assert.Equal(1, pthCode);
        Assert.StartsWith($"hermes predict: --model {pth}: a PyTorch checkpoint;", Assert.Single(pthError.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(root, "o")));

        var (_, config) = TrainingConfiguration(readableCases: true);
        var (resumeCode, _, resumeError) = HermesProcess.Run(Timeout, "train", "--config", config, "--resume", pth);
        Assert.Equal(2, resumeCode);
        Assert.StartsWith($"hermes train: --resume {pth}: ", Assert.Single(resumeError.Split('\n', StringSplitOptions.RemoveEmptyEntries)), StringComparison.Ordinal);
    }

    [Fact]
    public void NonFiniteInputIsAnErrorAndLeavesNoOutput()
    {
        var model = TinyModel(["liver"]);
        var image = Image("nan_case", nan: true);
        var output = Path.Combine(root, "nan-out");

        var (code, stdout, stderr) = HermesProcess.Run(Timeout, "predict", "--model", model, "--input", image, "--tasks", "liver", "--output", output);

        Assert.Equal(1, code);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"hermes predict: {image}: The input volume has 240 non-finite voxels (240 NaN, 0 ±∞) of 24000;", line, StringComparison.Ordinal);
        Assert.Contains("--non-finite replace-with-minimum", line, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output), $"{output} was created for a refused input\n{stdout}");

        (code, stdout, stderr) = HermesProcess.Run(Timeout, "predict", "--model", model, "--input", image, "--tasks", "liver", "--output", output,
            "--non-finite", "replace-with-minimum");
        Assert.True(code == 0, $"{stdout}\n{stderr}");
        Assert.True(File.Exists(Path.Combine(output, "nan_case.nii.gz")));
    }

    [Fact]
    public void AnUnknownModalityLeavesNoOutputFolder()
    {
        var model = TinyModel(["liver"]);
        var output = Path.Combine(root, "modality-out");
        var (code, _, stderr) = HermesProcess.Run(Timeout, "predict", "--model", model, "--input", Image("c", nan: false), "--tasks", "liver",
            "--output", output, "--modality", "PET");
        Assert.Equal(1, code);
        Assert.Contains("Modality 'PET' is not in the model's vocabulary", stderr, StringComparison.Ordinal);
        Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.False(Directory.Exists(output));
    }

    [Theory]
    [InlineData("0")]
    [InlineData("-3")]
    public void TrainWithNoStepsFailsBeforeTouchingAnything(string steps)
    {
        var (run, config) = TrainingConfiguration();
        var model = Path.Combine(run, "model.safetensors");
        File.WriteAllText(model, "trained weights");

        var (code, stdout, stderr) = HermesProcess.Run(Timeout, "train", "--config", config, "--steps", steps);

        Assert.Equal(2, code);
        Assert.Equal($"hermes train: --steps must be at least 1 (got {steps}).", stderr.Trim());
        Assert.DoesNotContain("steps", stdout, StringComparison.Ordinal);
        Assert.Equal("trained weights", File.ReadAllText(model));
        Assert.Equal(["model.safetensors"], Directory.GetFileSystemEntries(run).Select(Path.GetFileName));
    }

    [Fact]
    public void ANewRunDoesNotReplaceATrainedModelWithoutForce()
    {
        var (run, config) = TrainingConfiguration();
        var model = Path.Combine(run, "model.safetensors");
        File.WriteAllText(model, "trained weights");

        var (code, _, stderr) = HermesProcess.Run(Timeout, "train", "--config", config, "--steps", "1");

        Assert.Equal(2, code);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Equal($"hermes train: {model} already holds a trained model; continue it with --resume {Path.Combine(run, "final.safetensors")}, choose another Hermes:Training:OutputDirectory, or pass --force to replace it.", line);
        Assert.Equal("trained weights", File.ReadAllText(model));
        Assert.Equal(["model.safetensors"], Directory.GetFileSystemEntries(run).Select(Path.GetFileName));
    }

    [Theory]
    [InlineData("../../evil")]
    [InlineData("/etc/evil")]
    [InlineData("a,b")]
    public void ExtendRefusesTaskNamesThatAreNotNames(string name)
    {
        var model = TinyModel(["liver"]);
        var output = Path.Combine(root, "extended.safetensors");
        var (code, _, stderr) = HermesProcess.Run(Timeout, "extend", "--model", model, "--add-task", name, "--output", output);
        Assert.NotEqual(0, code);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith($"hermes extend: '{name}': '{name}' is not a valid name:", line, StringComparison.Ordinal);
        Assert.False(File.Exists(output));
        Assert.Empty(Directory.EnumerateFiles(root, "*evil*", SearchOption.AllDirectories));
    }

    [Theory]
    [InlineData(PosixSignal.SIGINT)]
    [InlineData(PosixSignal.SIGTERM)]
    public async Task PredictStopsOnASignalAndLeavesNoPartialCase(PosixSignal signal)
    {
        var model = TinyModel(["liver", "spleen"]);
        var image = Image("large", nan: false, shape: [224, 224, 112]); // ≈ 1,100 windows of 32³: minutes of work left when signalled
        var output = Path.Combine(root, "cancelled");
        using var process = HermesProcess.StartWithDefaultSignals("predict", "--model", model, "--input", image, "--tasks", "liver,spleen", "--output", output, "--masks");
        var (code, stderr) = await SignalWhen(process, line => line.Contains(": windows ", StringComparison.Ordinal), signal);

        Assert.True(code == 130, $"exit {code}\n{stderr}");
        Assert.Contains("hermes predict: cancelled", stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(output), $"{output} was left behind by a cancelled run");
    }

    [Fact]
    public async Task TrainStopsOnSigintWithACheckpointThatResumes()
    {
        var (run, config) = TrainingConfiguration(readableCases: true);
        using var process = HermesProcess.StartWithDefaultSignals("train", "--config", config);
        var started = Stopwatch.StartNew();
        var (code, stderr) = await SignalWhen(process, _ => started.Elapsed > TimeSpan.FromSeconds(1) && Directory.Exists(Path.Combine(run, "cache")), PosixSignal.SIGINT, TimeSpan.FromSeconds(4));

        Assert.True(code == 130, $"exit {code}\n{stderr}");
        var match = CancelledAfterStep().Match(stderr);
        Assert.True(match.Success, stderr);
        var step = int.Parse(match.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
        var checkpoint = Path.Combine(run, "checkpoints", "latest.safetensors");
        Assert.True(File.Exists(checkpoint), stderr);
        Assert.False(File.Exists(Path.Combine(run, "model.safetensors")), "a cancelled run exported a model");

        var (resumed, stdout, error) = HermesProcess.Run(Timeout, "train", "--config", config, "--resume", checkpoint, "--steps", (step + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        Assert.True(resumed == 0, $"{stdout}\n{error}");
        Assert.Contains($"trained {step + 1} steps", stdout, StringComparison.Ordinal);
        Assert.True(File.Exists(Path.Combine(run, "model.safetensors")));
    }

    [GeneratedRegex(@"hermes train: cancelled after step (\d+); resume with --resume ")]
    private static partial Regex CancelledAfterStep();

    /// <summary>
    /// Reads the process's standard error until a line satisfies <paramref name="ready"/> (checked on every line and every
    /// 100 ms), waits <paramref name="delay"/>, sends <paramref name="signal"/>, and returns the exit code and all of
    /// standard error.
    /// </summary>
    private static async Task<(int Code, string Error)> SignalWhen(Process process, Func<string, bool> ready, PosixSignal signal, TimeSpan delay = default)
    {
        var error = new System.Text.StringBuilder();
        var readySeen = new TaskCompletionSource();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }

            lock (error)
            {
                error.AppendLine(e.Data);
            }

            if (ready(e.Data))
            {
                readySeen.TrySetResult();
            }
        };
        process.BeginErrorReadLine();
        var output = process.StandardOutput.ReadToEndAsync();
        var deadline = Stopwatch.StartNew();
        while (!readySeen.Task.IsCompleted && !ready("") && !process.HasExited)
        {
            Assert.True(deadline.Elapsed < Timeout, $"not ready within {Timeout}: {error}");
            await Task.WhenAny(readySeen.Task, Task.Delay(100));
        }

        if (process.HasExited)
        {
            Assert.Fail($"the process ended before it was signalled (exit {process.ExitCode}): {error}\n{await output}");
        }

        await Task.Delay(delay);
        Assert.Equal(0, Kill(process.Id, signal == PosixSignal.SIGINT ? 2 : 15));
        using var timeout = new CancellationTokenSource(Timeout);
        await process.WaitForExitAsync(timeout.Token);
        await output;
        lock (error)
        {
            return (process.ExitCode, error.ToString());
        }
    }

    [DllImport("libc", EntryPoint = "kill")]
    private static extern int Kill(int pid, int signal);

    /// <summary>A random tiny Hermes-R with the given task names in its sidecar (CT, z-score, 32³ windows).</summary>
    private string TinyModel(string[] tasks)
    {
        var path = Path.Combine(root, "model", "tiny.safetensors");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        manual_seed(3);
        using var net = HermesR.Create(new HermesROptions { Backbone = new ResUNetOptions { BaseChannels = 4 }, TaskCount = tasks.Length + 1, ModalityCount = 2 });
        CheckpointWriter.Save(path, net, new ModelSidecar
        {
            Architecture = "hermes-r",
            ArchitectureOptions = new JsonObject { ["base_chan"] = 4 },
            Tasks = tasks,
            Modalities = ["CT"],
            Preprocessing = new SidecarPreprocessing([1.5, 1.5, 1.5],
                new Dictionary<string, IntensityNormalization> { ["CT"] = new(IntensityClipMode.None, 0, 0, ZScore: true) }, [32, 32, 32]),
        });
        return path;
    }

    /// <summary>A noise image at 1.5 mm (default 40×30×20); with <paramref name="nan"/> its first 240 voxels (1 % of the default) are NaN.</summary>
    private string Image(string name, bool nan, int[]? shape = null)
    {
        shape ??= [40, 30, 20];
        var path = Path.Combine(root, "images", name + ".nii.gz");
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        manual_seed(5);
        var data = randn([shape[2], shape[1], shape[0]]).mul(50);
        if (nan)
        {
            data.view(-1)[TensorIndex.Slice(0, 240)] = tensor(float.NaN);
        }

        using var volume = new Volume(data, VolumeGeometry.Create(shape, [1.5, 1.5, 1.5]));
        VolumeIO.Write(volume, path);
        return path;
    }

    /// <summary>
    /// A valid training configuration (1,000 steps of a base-4 Hermes-R on 32³ patches) whose output directory (returned)
    /// exists; its manifest lists two readable amos_ct cases (a bright box labelled liver) or, by default, one that is
    /// never read.
    /// </summary>
    private (string Run, string Config) TrainingConfiguration(bool readableCases = false)
    {
        var run = Directory.CreateDirectory(Path.Combine(root, "run")).FullName;
        var manifest = Path.Combine(root, "manifest.tsv");
        List<string> rows = ["dataset\tcase_id\tmodality\timage\tlabel"];
        for (var c = 1; c <= (readableCases ? 2 : 1); c++)
        {
            var image = Path.Combine(root, $"c{c}.nii.gz");
            var label = Path.Combine(root, $"c{c}_seg.nii.gz");
            if (readableCases)
            {
                var geometry = VolumeGeometry.Create([40, 40, 40], [1.5, 1.5, 1.5]);
                using var labels = zeros([40, 40, 40], ScalarType.Int16);
                labels[TensorIndex.Slice(8 + c, 24 + c), TensorIndex.Slice(10, 30), TensorIndex.Slice(12, 28)] = tensor((short)1);
                using var labelVolume = new Volume(labels.clone(), geometry);
                VolumeIO.Write(labelVolume, label, new VolumeWriteOptions { IsLabel = true });
                using var imageVolume = new Volume(labels.to(ScalarType.Float32).mul(200).add(randn([40, 40, 40]).mul(20)), geometry);
                VolumeIO.Write(imageVolume, image);
            }

            rows.Add($"amos_ct\tc{c}\tCT\t{image}\t{label}");
        }

        File.WriteAllLines(manifest, rows);
        var config = Path.Combine(root, "train.json");
        File.WriteAllText(config, $$"""
            {
              "Hermes": {
                "Backbone": "resunet", "BaseChannels": 4, "PatchSize": [32, 32, 32],
                "Training": { "Manifest": "{{manifest}}", "Datasets": ["amos_ct"], "Epochs": 100, "StepsPerEpoch": 10, "BatchSize": 1,
                              "WarmupEpochs": 0, "OutputDirectory": "{{run}}" }
              }
            }
            """);
        return (run, config);
    }
}
