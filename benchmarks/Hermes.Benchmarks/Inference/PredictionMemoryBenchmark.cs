using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Hermes.Abstractions;
using Hermes.Backbones;
using Hermes.Checkpoints;
using Hermes.Inference;
using Hermes.Preprocessing;
using Hermes.Runtime;
using Hermes.Volumes;
using static TorchSharp.torch;

namespace Hermes.Benchmarks.Inference;

/// <summary>
/// Console mode (not BenchmarkDotNet: peak RSS needs a fresh process): <c>dotnet run -c Release --project
/// benchmarks/Hermes.Benchmarks -- prediction-memory [--size 512,512,400] [--spacing 0.8,0.8,1.5] [--tasks 15]
/// [--model tiny|intensity] [--window 128] [--overlap 0.5]</c>. Builds a synthetic int16 CT, predicts <c>--tasks</c> binary
/// masks with the <see cref="VolumePredictor"/> (sidecar spacing 1.5 mm isotropic, CT normalisation), writes them as NIfTI
/// to a temporary folder and prints the process's peak RSS (VmHWM from /proc/self/status) and the wall time.
/// <c>tiny</c> = a random Hermes-R with base channels 4; <c>intensity</c> = a stand-in whose logits are a linear function of
/// the window (isolates the pipeline's own memory: stitching, resampling back, decisions, writing).
/// </summary>
internal static class PredictionMemoryBenchmark
{
    public static int Run(string[] args)
    {
        var size = Ints(Arg(args, "--size", "512,512,400"));
        var spacing = Doubles(Arg(args, "--spacing", "0.8,0.8,1.5"));
        var tasks = int.Parse(Arg(args, "--tasks", "15"), CultureInfo.InvariantCulture);
        var modelKind = Arg(args, "--model", "tiny");
        var window = int.Parse(Arg(args, "--window", "128"), CultureInfo.InvariantCulture);
        var overlap = double.Parse(Arg(args, "--overlap", "0.5"), CultureInfo.InvariantCulture);
        HermesRuntime.EnsureInitialized();
        Report("start");

        var names = Enumerable.Range(0, tasks).Select(t => $"task{t:00}").ToArray();
        var sidecar = new ModelSidecar
        {
            Architecture = "hermes-r",
            ArchitectureOptions = new JsonObject { ["base_chan"] = 4 },
            Tasks = names,
            Modalities = ["CT"],
            Preprocessing = new SidecarPreprocessing([1.5, 1.5, 1.5], new Dictionary<string, IntensityNormalization> { ["CT"] = IntensityNormalization.Ct }, [window, window, window]),
        };
        using var model = modelKind == "tiny" ? HermesR.Create(new HermesROptions { Backbone = new ResUNetOptions { BaseChannels = 4 }, TaskCount = tasks, ModalityCount = 1 }) : null;
        var predictor = model is not null
            ? new VolumePredictor(model, sidecar)
            : new VolumePredictor(sidecar, (ids, _) => new IntensityStandIn(ids.Count));

        Volume input;
        using (var scope = NewDisposeScope())
        {
            // Synthetic CT: air outside an elliptic body of soft tissue (40 HU) with a brighter blob per task.
            var (d, h, w) = (size[2], size[1], size[0]);
            var z = linspace(-1, 1, d).view(-1, 1, 1);
            var y = linspace(-1, 1, h).view(1, -1, 1);
            var x = linspace(-1, 1, w).view(1, 1, -1);
            var body = x.square().add(y.square().mul(1.4)).lt(0.8).expand(d, h, w);
            var ct = full([d, h, w], -1000f).masked_fill_(body, 40f).add_(z.mul(30));
            input = new Volume(ct.to(ScalarType.Int16).unsqueeze(0).MoveToOuterDisposeScope(), VolumeGeometry.Create(size, spacing));
        }

        Report("input ready");
        var output = Path.Combine(Path.GetTempPath(), "hermes-predmem-" + Guid.NewGuid().ToString("N"));
        var clock = Stopwatch.StartNew();
        try
        {
            using (input)
            {
                var options = new PredictionOptions { Window = { Overlap = overlap } };
                var progress = new ConsoleProgress();
                var written = predictor.PredictToFolder(input, output, "ct", new PredictionRequest(names, "CT"), options, progress);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {written.Count} masks in {clock.Elapsed.TotalSeconds:F1} s"));
            }
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }

        Report("done");
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"RESULT size={string.Join('x', size)} spacing={string.Join('x', spacing)} tasks={tasks} model={modelKind} window={window} overlap={overlap} peak_rss_mib={PeakRssMib():F0} seconds={clock.Elapsed.TotalSeconds:F1}"));
        return 0;
    }

    private static double PeakRssMib()
    {
        var line = File.ReadLines("/proc/self/status").First(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0;
    }

    private static void Report(string stage) => Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"[{stage}] peak RSS {PeakRssMib():F0} MiB"));

    private static string Arg(string[] args, string name, string fallback)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : fallback;
    }

    private static int[] Ints(string s) => [.. s.Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture))];

    private static double[] Doubles(string s) => [.. s.Split(',').Select(v => double.Parse(v, CultureInfo.InvariantCulture))];

    /// <summary>Logits of task t = (t + 1)/T · window − 0.5: trivial compute, the same output size as a real model.</summary>
    private sealed class IntensityStandIn(int tasks) : IWindowPredictor
    {
        public Tensor Predict(Tensor windows, IReadOnlyList<WindowPlacement> placements)
        {
            using var scale = arange(1, tasks + 1, ScalarType.Float32).div_(tasks).view(1, -1, 1, 1, 1);
            return windows.narrow(1, 0, 1).mul(scale).sub_(0.5);
        }
    }

    private sealed class ConsoleProgress : IProgress<PredictionProgress>
    {
        private readonly Stopwatch clock = Stopwatch.StartNew();
        private string stage = "";

        public void Report(PredictionProgress value)
        {
            if (value.Stage != stage || value.Done == value.Total || value.Done % 10 == 0)
            {
                stage = value.Stage;
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {clock.Elapsed.TotalSeconds,7:F1} s  {value.Stage} {value.Done}/{value.Total}  peak RSS {PeakRssMib():F0} MiB"));
            }
        }
    }
}
