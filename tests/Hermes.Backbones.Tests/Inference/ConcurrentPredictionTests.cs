using System.Text.Json.Nodes;
using Hermes.Abstractions;
using Hermes.Checkpoints;
using Hermes.Data;
using Hermes.DependencyInjection;
using Hermes.Inference;
using Hermes.Preprocessing;
using Hermes.Runtime;
using Hermes.Testing;
using Hermes.Volumes;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Backbones.Tests.Inference;

/// <summary>
/// One model shared by four OS threads that predict several volumes at once (each thread its own volumes, in its own
/// order) gives bit for bit what sequential calls on the test thread give — for <see cref="VolumePredictor"/> (the window
/// logits after its preprocessing, the masks and the label maps on the original grids) and <see cref="SegmentationPredictor"/>
/// (float32 probabilities). The worker threads start with another LibTorch intra-op thread count, as thread-pool threads
/// initialised at another time do. Before the predictors applied the process-wide count (<see cref="IntraOpThreads"/>), the
/// window logits differed by up to 3.4e-5 and the probabilities by up to 5e-6 in most voxels: the prior fusion's linear
/// layers multiply 10–13 prior tokens, and LibTorch's CPU matrix product splits such odd small products differently at one
/// and at two threads.
/// </summary>
public sealed class ConcurrentPredictionTests : IDisposable
{
    private const int Workers = 4;

    /// <summary>The volumes each worker predicts, in order: all five, three of them on two threads at once.</summary>
    private static readonly int[][] Orders = [[0, 3], [4, 1], [2, 0], [1, 4]];
    private static readonly IntensityNormalization ZScore = new(IntensityClipMode.None, 0, 0, ZScore: true);
    private static readonly IntensityNormalization Clipped = new(IntensityClipMode.Percentiles, 0.5, 99.5, ZScore: true);
    private static readonly string[] TaskNames = ["liver", "spleen", "kidney", "pancreas"];

    private readonly int processThreads = IntraOpThreads.ProcessWide;
    private readonly UniversalSegmenter model;
    private readonly Volume[] volumes;
    private readonly PredictionRequest[] requests;

    public ConcurrentPredictionTests()
    {
        // One intra-op thread for the predictions (the process-wide count, restored in Dispose) and two on the workers: on a
        // shared 2-core machine OpenMP teams of two made these predictions ~10× slower than one thread.
        HermesRuntime.EnsureInitialized(new HermesRuntimeOptions { Threads = 1 });
        torch.manual_seed(17);
        model = HermesR.Create(new HermesROptions { Backbone = new ResUNetOptions { BaseChannels = 8 }, TaskCount = 5, ModalityCount = 3, TokensPerModality = 8 });
        var a = 0.3;
        double[,] oblique = { { Math.Cos(a), -Math.Sin(a), 0 }, { Math.Sin(a), Math.Cos(a), 0 }, { 0, 0, 1 } };
        double[,] lps = { { -1, 0, 0 }, { 0, -1, 0 }, { 0, 0, 1 } };

        // Different shapes, spacings and orientations: each volume has its own reorientation, resampling and window grid.
        volumes =
        [
            Image(1, [40, 32, 28], [1.0, 1.0, 1.0], null),
            Image(2, [46, 30, 24], [1.3, 1.1, 0.9], lps),
            Image(3, [37, 29, 23], [1.3, 1.3, 1.3], oblique),
            Image(4, [30, 44, 26], [1.0, 0.8, 1.2], null),
            Image(5, [28, 30, 44], [1.2, 1.2, 1.0], lps),
        ];
        requests =
        [
            new(["liver", "spleen"], "CT"),
            new(["kidney", "liver", "pancreas"], "MR"),
            new(["spleen"], "CT"),
            new(["pancreas", "kidney"], "MR"),
            new(["liver", "spleen", "kidney", "pancreas"], "CT"),
        ];
    }

    public void Dispose()
    {
        foreach (var v in volumes)
        {
            v.Dispose();
        }

        model.Dispose();
        HermesRuntime.EnsureInitialized(new HermesRuntimeOptions { Threads = processThreads });
    }

    [Fact]
    public void VolumePredictorOnFourThreadsEqualsSequentialCallsBitForBit()
    {
        // Even volumes: binary masks through a predictor whose window model records its logits (the model's float32 output
        // after VolumePredictor's reorientation, resampling and z-score); odd volumes: label maps through the model constructor.
        var logits = new ThreadLocal<List<Tensor>>(() => []);
        var recording = new VolumePredictor(Sidecar(), (tasks, modality) => new RecordingWindowPredictor(new SegmenterWindowPredictor(model, tasks, modality), logits));
        var direct = new VolumePredictor(model, Sidecar());
        var masks = new PredictionOptions { Window = { Overlap = 0.25 } };
        var labels = new PredictionOptions { Window = { Overlap = 0.25 }, Output = PredictionOutputKind.LabelMap };

        Tensor[] Predict(int v)
        {
            if (v % 2 == 1)
            {
                using var map = direct.Predict(volumes[v], requests[v], labels);
                return [map.LabelMap!.Data.clone()];
            }

            logits.Value!.Clear();
            using var result = recording.Predict(volumes[v], requests[v], masks);
            var windows = cat(logits.Value!, 0);
            logits.Value!.ForEach(t => t.Dispose());
            return [windows, .. result.Masks.Select(m => m.Data.clone())];
        }

        var sequential = Enumerable.Range(0, volumes.Length).Select(Predict).ToArray();
        try
        {
            for (var v = 0; v < volumes.Length; v++)
            {
                foreach (var decision in v % 2 == 0 ? sequential[v][1..] : sequential[v])
                {
                    using var scope = NewDisposeScope();
                    Assert.InRange(decision.gt(0).sum().item<long>(), 1, decision.numel() - 1); // a real decision, not all or nothing
                }
            }

            CompareConcurrent(sequential, Predict);
        }
        finally
        {
            DisposeAll(sequential);
            logits.Dispose();
        }
    }

    [Fact]
    public void SegmentationPredictorOnFourThreadsEqualsSequentialCallsBitForBit()
    {
        var vocabulary = new TaskVocabulary();
        foreach (var t in TaskNames)
        {
            vocabulary.AddTask(t);
        }

        vocabulary.AddModality("CT");
        vocabulary.AddModality("MR");
        var predictor = new SegmentationPredictor(model, new SlidingWindowOptions { WindowSize = (32, 32, 32), Overlap = 0.25 }, vocabulary);
        Assert.True(model.training); // a new model: the predictor switches to evaluation for its calls and back after the last

        Tensor[] Predict(int v)
        {
            var request = requests[v];
            return [predictor.PredictProbabilities(volumes[v].Data, request.Tasks, request.Modality!)];
        }

        var sequential = Enumerable.Range(0, volumes.Length).Select(Predict).ToArray();
        try
        {
            foreach (var outputs in sequential)
            {
                using var low = outputs[0].min();
                using var high = outputs[0].max();
                Assert.True(low.item<float>() < 0.5f && high.item<float>() > 0.5f, "the probabilities straddle the threshold");
            }

            CompareConcurrent(sequential, Predict);
            Assert.True(model.training, "the model was left in evaluation mode after the concurrent calls");
        }
        finally
        {
            DisposeAll(sequential);
        }
    }

    /// <summary>
    /// Four OS threads, released together by a barrier, each predict two volumes in their own order (<see cref="Orders"/>),
    /// starting with one intra-op thread more than the process-wide count; every output must equal the sequential one exactly.
    /// </summary>
    private void CompareConcurrent(Tensor[][] sequential, Func<int, Tensor[]> predict)
    {
        var testThreads = get_num_threads();
        var workerThreads = IntraOpThreads.ProcessWide + 1;
        using var barrier = new Barrier(Workers);
        var results = new (int Volume, Tensor[] Outputs)[Workers][];
        var errors = new Exception?[Workers];
        var threads = Enumerable.Range(0, Workers).Select(w => new Thread(() =>
        {
            try
            {
                set_num_threads(workerThreads);
                var order = Orders[w];
                results[w] = new (int, Tensor[])[order.Length];
                barrier.SignalAndWait();
                for (var i = 0; i < order.Length; i++)
                {
                    results[w][i] = (order[i], predict(order[i]));
                }
            }
            catch (Exception e)
            {
                errors[w] = e;
            }
        })).ToList();
        try
        {
            threads.ForEach(t => t.Start());
            threads.ForEach(t => t.Join());
        }
        finally
        {
            set_num_threads(testThreads); // the workers also changed LibTorch's default for new threads
        }

        try
        {
            Assert.All(errors, e => Assert.True(e is null, $"a worker failed: {e}"));
            var predicted = results.SelectMany(r => r).GroupBy(r => r.Volume).ToDictionary(g => g.Key, g => g.Count());
            Assert.True(predicted.Count == volumes.Length && predicted.Values.Count(n => n > 1) == 3, $"volumes predicted: {string.Join(", ", predicted)}");
            foreach (var (v, outputs) in results.SelectMany(r => r))
            {
                Assert.Equal(sequential[v].Length, outputs.Length);
                for (var o = 0; o < outputs.Length; o++)
                {
                    Assert.True(TensorEquality.Same(sequential[v][o], outputs[o]), $"volume {v}, output {o}: differs from the sequential result ({Differing(sequential[v][o], outputs[o])})");
                }
            }
        }
        finally
        {
            DisposeAll(results.Where(r => r is not null).SelectMany(r => r).Where(r => r.Outputs is not null).Select(r => r.Outputs));
        }
    }

    private static string Differing(Tensor a, Tensor b)
    {
        if (!a.shape.SequenceEqual(b.shape))
        {
            return $"shape [{string.Join(", ", a.shape)}] vs [{string.Join(", ", b.shape)}]";
        }

        using var scope = NewDisposeScope();
        var count = a.ne(b).sum().item<long>();
        var diff = a.to(ScalarType.Float64).sub(b.to(ScalarType.Float64)).abs().max().item<double>();
        return $"{count} of {a.numel()} elements, max |Δ| {diff:G3}";
    }

    private static void DisposeAll(IEnumerable<Tensor[]> outputs)
    {
        foreach (var t in outputs.SelectMany(o => o))
        {
            t.Dispose();
        }
    }

    private static ModelSidecar Sidecar() => new()
    {
        Architecture = "hermes-r",
        ArchitectureOptions = new JsonObject { ["arch"] = "resunet", ["base_chan"] = 8, ["tn"] = 5, ["mn"] = 3 },
        Tasks = TaskNames,
        Modalities = ["CT", "MR"],
        Preprocessing = new SidecarPreprocessing([1.25, 1.25, 1.25], new Dictionary<string, IntensityNormalization> { ["CT"] = ZScore, ["MR"] = Clipped }, [32, 32, 32]),
    };

    /// <summary>Passes windows to a window model and keeps a copy of its logits in the calling thread's list.</summary>
    private sealed class RecordingWindowPredictor(IWindowPredictor inner, ThreadLocal<List<Tensor>> sink) : IWindowPredictor
    {
        public Tensor Predict(Tensor windows, IReadOnlyList<WindowPlacement> placements)
        {
            var logits = inner.Predict(windows, placements);
            sink.Value!.Add(logits.clone().DetachFromDisposeScope());
            return logits;
        }
    }

    /// <summary>A bright blob in noise, different for every <paramref name="seed"/>.</summary>
    private static Volume Image(int seed, int[] shape, double[] spacing, double[,]? direction)
    {
        torch.manual_seed(seed);
        Tensor blob;
        using (NewDisposeScope())
        {
            var (d, h, w) = ((double)shape[2], (double)shape[1], (double)shape[0]);
            var z = arange(shape[2], ScalarType.Float32).view(-1, 1, 1).sub(d * 0.45).div(d * 0.25).square();
            var y = arange(shape[1], ScalarType.Float32).view(1, -1, 1).sub(h * 0.5).div(h * 0.3).square();
            var x = arange(shape[0], ScalarType.Float32).view(1, 1, -1).sub(w * 0.55).div(w * 0.2).square();
            blob = z.add(y).add(x).neg().exp().mul(400).add(randn([shape[2], shape[1], shape[0]]).mul(30)).add(40 * seed).DetachFromDisposeScope();
        }

        return new Volume(blob, VolumeGeometry.Create(shape, spacing, [3 * seed, -7, 11], direction));
    }
}
