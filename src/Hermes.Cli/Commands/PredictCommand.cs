using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hermes.Abstractions;
using Hermes.Backbones;
using Hermes.Checkpoints;
using Hermes.Inference;
using Hermes.IO;
using Hermes.Runtime;
using Hermes.Volumes;
using TorchSharp;

namespace Hermes.Cli.Commands;

/// <summary>
/// <c>hermes predict --model M --input file|folder --tasks liver,spleen --output dir [--tta] [--overlap 0.5] [--device cpu|cuda]</c>:
/// segments each input volume with a checkpoint (<c>.safetensors</c> + its <c>.json</c> sidecar) and writes the labels
/// on the input's own grid (shape and affine): <c>dir/case.nii.gz</c> label maps (task <c>t</c> of the list = label
/// <c>t + 1</c>) or, with <c>--masks</c>, <c>dir/case/task.nii.gz</c> binary masks; plus <c>dir/labels.json</c>
/// (task → label), the map <c>hermes evaluate --labels</c> takes, and with masks <c>dir/masks.json</c> (task → file: names
/// that cannot be file names, such as <c>amos/liver</c>, are mapped to safe ones and never leave <c>dir</c>). Nothing is
/// created in <c>dir</c> until the first case has been segmented; inputs with NaN/±∞ voxels are refused unless
/// <c>--non-finite replace-with-minimum</c>.
/// </summary>
internal static class PredictCommand
{
    private static readonly string[] VolumeExtensions = [".nii", ".nii.gz", ".nrrd", ".nhdr", ".mha", ".mhd", ".hdr"];

    public static Command Create()
    {
        var model = new Option<string>("--model") { Description = "The checkpoint (.safetensors) with its sidecar (.json) next to it.", Required = true };
        var input = new Option<string>("--input") { Description = "A volume file, a folder of volume files, or a DICOM series folder.", Required = true };
        var tasks = new Option<string>("--tasks") { Description = "Comma-separated task names from the sidecar (e.g. liver,spleen).", Required = true };
        var output = new Option<string>("--output") { Description = "Output folder.", Required = true };
        var modality = new Option<string?>("--modality") { Description = "The modality (a sidecar name, e.g. CT); default: the sidecar's only one, or the DICOM Modality." };
        var tta = new Option<bool>("--tta") { Description = "Mirroring test-time augmentation (8 flips per window; 8× slower)." };
        var overlap = new Option<double>("--overlap") { Description = "Sliding-window overlap in [0, 1).", DefaultValueFactory = _ => 0.5 };
        var device = new Option<string>("--device") { Description = "cpu or cuda[:n].", DefaultValueFactory = _ => "cpu" };
        var batch = new Option<int>("--windows-per-batch") { Description = "Windows per forward pass.", DefaultValueFactory = _ => 1 };
        var masks = new Option<bool>("--masks") { Description = "Write one binary mask per task (case/task.nii.gz) instead of a label map." };
        var largest = new Option<bool>("--largest-component") { Description = "Keep only the largest connected component of each task." };
        var fillHoles = new Option<bool>("--fill-holes") { Description = "Fill enclosed holes in each task's mask." };
        var minSize = new Option<long>("--min-size") { Description = "Remove components smaller than this many voxels." };
        var nonFinite = new Option<string>("--non-finite")
        {
            Description = "NaN/±∞ voxels in an input: reject (stop with an error) or replace-with-minimum (the smallest finite intensity).",
            DefaultValueFactory = _ => "reject",
        }.AcceptOnlyFromAmong("reject", "replace-with-minimum");
        var saveProbabilities = new Option<string?>("--save-probabilities")
        {
            Description = "Also write each task's probability map (before thresholding): float32 (case_probabilities/TASK.nii.gz) or float16 (case_probabilities.npz, as nnU-Net keeps them).",
            Arity = ArgumentArity.ZeroOrOne,
        }.AcceptOnlyFromAmong("float32", "float16");
        var reading = new VolumeReadArguments();
        var command = new Command("predict", "Segment volumes with a checkpoint; outputs keep each input's grid and affine.")
        {
            model, input, tasks, output, modality, tta, overlap, device, batch, masks, largest, fillHoles, minSize, nonFinite, saveProbabilities,
        };
        foreach (var option in reading.All)
        {
            command.Options.Add(option);
        }

        command.SetAction((parse, cancellationToken) =>
        {
            if (reading.Read(parse, out var error) is not { } readOptions)
            {
                Console.Error.WriteLine($"hermes predict: {error}");
                return Task.FromResult(2);
            }

            return Task.FromResult(Run(
            parse.GetValue(model)!, parse.GetValue(input)!, parse.GetValue(tasks)!, parse.GetValue(output)!, parse.GetValue(modality),
            new PredictionOptions
            {
                MirrorTta = parse.GetValue(tta),
                Window = new SlidingWindowOptions { Overlap = parse.GetValue(overlap), WindowsPerBatch = parse.GetValue(batch) },
                Output = parse.GetValue(masks) ? PredictionOutputKind.BinaryMasks : PredictionOutputKind.LabelMap,
                Postprocessing = new PostprocessingOptions { KeepLargestComponent = parse.GetValue(largest), FillHoles = parse.GetValue(fillHoles), MinimumComponentVoxels = parse.GetValue(minSize) },
                NonFiniteVoxels = parse.GetValue(nonFinite) == "replace-with-minimum" ? NonFiniteVoxelHandling.ReplaceWithMinimum : NonFiniteVoxelHandling.Reject,
                KeepProbabilities = parse.GetResult(saveProbabilities) is not null,
                ProbabilityFormat = parse.GetValue(saveProbabilities) == "float16" ? ProbabilityFormat.NumpyFloat16 : ProbabilityFormat.NiftiFloat32,
            },
            parse.GetValue(device)!, cancellationToken, readOptions));
        });
        return command;
    }

    internal static int Run(string modelPath, string inputPath, string taskList, string outputFolder, string? modality, PredictionOptions options, string deviceName, CancellationToken cancellationToken, VolumeReadOptions? readOptions = null)
    {
        try
        {
            HermesRuntime.EnsureInitialized();
            var device = DeviceArgument.Parse(deviceName);
            options.Window.WindowDevice = device;
            options.Validate();
            var taskNames = taskList.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
            var inputs = Inputs(inputPath);
            using var segmenter = LoadModel(modelPath, device, out var sidecar);
            var predictor = new VolumePredictor(segmenter, sidecar, device);
            var request = new PredictionRequest(taskNames, modality);
            _ = predictor.TaskIds(taskNames); // fail before reading any volume
            var indexWritten = false;
            foreach (var (caseName, path) in inputs)
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var volume = VolumeIO.Read(path, readOptions);
                var progress = new ConsoleProgress(caseName);
                IReadOnlyList<string> files;
                try
                {
                    files = predictor.PredictToFolder(volume, outputFolder, caseName, request, options, progress, cancellationToken);
                }
                catch (InvalidDataException e)
                {
                    throw new InvalidDataException($"{path}: {e.Message}", e);
                }

                if (!indexWritten)
                {
                    // Only once a case has been segmented: a run that fails on its inputs leaves no output folder behind.
                    WriteIndex(outputFolder, taskNames, options.Output);
                    indexWritten = true;
                }

                foreach (var written in files)
                {
                    Console.Out.WriteLine(written);
                }
            }

            return 0;
        }
        catch (OperationCanceledException)
        {
            Console.Error.WriteLine("hermes predict: cancelled; the interrupted case's files were removed, finished cases are complete.");
            return TerminationSignals.ExitCode;
        }
        catch (Exception e) when (e is ArgumentException or IOException or InvalidDataException or VolumeFormatException or NotSupportedException or CheckpointFormatException or StateDictMismatchException or HermesNativeRuntimeException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"hermes predict: {VolumeReadArguments.Explain(e)}");
            return 1;
        }
    }

    /// <summary>Loads a checkpoint and builds the model its sidecar describes (hermes-r / hermes-m, or a reference <c>arch</c>).</summary>
    internal static UniversalSegmenter LoadModel(string safetensorsPath, torch.Device device, out ModelSidecar sidecar)
    {
        if (!File.Exists(safetensorsPath))
        {
            throw new FileNotFoundException($"--model {safetensorsPath}: the file does not exist.", safetensorsPath);
        }

        if (Path.GetExtension(safetensorsPath).ToLowerInvariant() is ".pth" or ".pt" or ".ckpt")
        {
            throw new InvalidDataException($"--model {safetensorsPath}: a PyTorch checkpoint; this command reads a .safetensors model with its .json sidecar. Convert the weights first (Hermes.Checkpoints' PyTorch import, see samples/WeightImport).");
        }

        var (stateDict, loaded) = CheckpointReader.Load(safetensorsPath);
        sidecar = loaded;
        try
        {
            var (tn, mn) = SidecarModel.Vocabulary(loaded, stateDict);
            var model = SidecarModel.Build(loaded, tn, mn);
            try
            {
                StateDictLoader.Load(model, stateDict);
                model.to(device);
                model.eval();
                return model;
            }
            catch
            {
                model.Dispose();
                throw;
            }
        }
        finally
        {
            foreach (var t in stateDict.Values)
            {
                t.Dispose();
            }
        }
    }

    private static List<(string Case, string Path)> Inputs(string path)
    {
        if (File.Exists(path))
        {
            return [(CaseName(path), path)];
        }

        if (!Directory.Exists(path))
        {
            throw new FileNotFoundException($"Input '{path}' is neither a file nor a folder.", path);
        }

        var files = Directory.GetFiles(path).Where(f => VolumeExtensions.Any(e => f.EndsWith(e, StringComparison.OrdinalIgnoreCase))).Order(StringComparer.Ordinal).ToList();
        if (files.Count > 0)
        {
            return [.. files.Select(f => (CaseName(f), f))];
        }

        // No volume files: the folder itself is read as a DICOM series.
        return [(Path.GetFileName(Path.TrimEndingDirectorySeparator(path)), path)];
    }

    internal static string CaseName(string path)
    {
        var name = Path.GetFileName(path);
        foreach (var e in VolumeExtensions.OrderByDescending(e => e.Length))
        {
            if (name.EndsWith(e, StringComparison.OrdinalIgnoreCase))
            {
                return name[..^e.Length];
            }
        }

        return name;
    }

    /// <summary>
    /// Writes <c>labels.json</c> (task → label value of the label maps) and, for masks, <c>masks.json</c> (task → mask file
    /// name in each case folder: task names come from the sidecar and are mapped to safe file names, see
    /// <see cref="SafeFileName.Map"/>).
    /// </summary>
    private static void WriteIndex(string outputFolder, IReadOnlyList<string> tasks, PredictionOutputKind output)
    {
        var labels = new JsonObject();
        for (var t = 0; t < tasks.Count; t++)
        {
            labels[tasks[t]] = t + 1;
        }

        WriteJson(Path.Combine(outputFolder, "labels.json"), labels);
        if (output == PredictionOutputKind.BinaryMasks)
        {
            var stems = SafeFileName.Map(tasks);
            var files = new JsonObject();
            for (var t = 0; t < tasks.Count; t++)
            {
                files[tasks[t]] = stems[t] + ".nii.gz";
            }

            WriteJson(Path.Combine(outputFolder, "masks.json"), files);
        }
    }

    private static void WriteJson(string path, JsonObject content) =>
        AtomicFile.WriteAllText(path, content.ToJsonString(new JsonSerializerOptions { WriteIndented = true }));

    /// <summary>One line per stage change, per finished stage, and at least every <see cref="Interval"/> in between.</summary>
    private sealed class ConsoleProgress(string caseName) : IProgress<PredictionProgress>
    {
        private static readonly TimeSpan Interval = TimeSpan.FromSeconds(2);
        private readonly System.Diagnostics.Stopwatch sinceLine = System.Diagnostics.Stopwatch.StartNew();
        private string lastStage = "";

        public void Report(PredictionProgress value)
        {
            if (value.Stage != lastStage || value.Done == value.Total || sinceLine.Elapsed >= Interval)
            {
                lastStage = value.Stage;
                sinceLine.Restart();
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{caseName}: {value.Stage} {value.Done}/{value.Total}"));
            }
        }
    }
}
