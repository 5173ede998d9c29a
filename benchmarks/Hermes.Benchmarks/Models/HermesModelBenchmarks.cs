using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Filters;
using BenchmarkDotNet.Jobs;
using Hermes.Abstractions;
using Hermes.Benchmarks.Runtime;
using Hermes.Backbones;
using Hermes.Priors.Losses;
using Hermes.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Benchmarks.Models;

/// <summary>
/// Forward (eval, no grad) and forward+backward (train, Hermes loss, no optimiser step) of the full published Hermes-R
/// and Hermes-M on CPU with 2 threads, batch with T = 16 task columns as in hermes-reference.md §13. Two jobs: glibc's
/// default allocator and <see cref="HermesRuntimeOptions.RetainFreedMemory"/> (mallopt), each in its own process. With
/// <c>HERMES_BENCH_KERNELS=1</c> the jobs compare the convolution kernels instead, side by side in one run (default
/// allocator): <c>Auto</c>, LibTorch's forward and input gradient with the GEMM weight gradient
/// (<c>HERMES_CONV3D_FORWARD=libtorch</c>), and LibTorch's convolution throughout (both switches <c>libtorch</c>). The oneDNN
/// guard is whatever the process environment decides (<c>HERMES_ONEDNN_GUARD</c>, <c>HERMES_ONEDNN_VERDICT</c>).
/// Peak RSS (VmHWM) of each case's process is reported in the "Peak RSS" column.
/// </summary>
[Config(typeof(HermesModelBenchmarkConfig))]
public class HermesModelBenchmarks
{
    private UniversalSegmenter model = null!;
    private ILossTerm loss = null!;
    private Tensor image = null!;
    private Tensor tasks = null!;
    private Tensor modality = null!;
    private Tensor labels = null!;
    private string method = nameof(Forward);

    /// <summary>The model: Hermes-R (ResUNet) or Hermes-M (MedFormer), full published size.</summary>
    [ParamsSource(nameof(Models))]
    public string Model { get; set; } = "Hermes-R";

    /// <summary>Input: batch × cubic size.</summary>
    [ParamsSource(nameof(Inputs))]
    public string Input { get; set; } = "1x64";

    /// <summary>The models to run: all, or the comma-separated subset in <c>HERMES_BENCH_MODELS</c>.</summary>
    public static IEnumerable<string> Models => Subset("HERMES_BENCH_MODELS", ["Hermes-R", "Hermes-M"]);

    /// <summary>The inputs to run: all, or the comma-separated subset in <c>HERMES_BENCH_INPUTS</c>.</summary>
    public static IEnumerable<string> Inputs => Subset("HERMES_BENCH_INPUTS", ["1x64", "2x64", "1x128"]);

    [GlobalSetup]
    public void Setup()
    {
        var retain = Environment.GetEnvironmentVariable("HERMES_BENCH_RETAIN_FREED_MEMORY") == "1";
        HermesRuntime.EnsureInitialized(new HermesRuntimeOptions { Threads = 2, RetainFreedMemory = retain });
        model = Model == "Hermes-R" ? HermesR.Create() : HermesM.Create();
        loss = HermesLoss.Create(72, 0.01, Model == "Hermes-M" ? [0.5, 0.5] : null);
        var parts = Input.Split('x');
        var (batch, size) = (int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture));
        var gen = new Generator(7);
        image = randn([batch, 1, size, size, size], generator: gen);

        // amos_ct (15 tasks, ids 4–18) + one null column: T = 16, as in the reference's timing batch.
        var row = Enumerable.Range(4, 15).Select(i => (long)i).Append(-1L).ToArray();
        tasks = tensor(Enumerable.Repeat(row, batch).SelectMany(r => r).ToArray(), [batch, 16]);
        modality = zeros([batch], int64);
        labels = (rand([batch, 16, size, size, size], generator: gen) > 0.9).to(uint8);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        PeakRssColumn.Record(method, Model, Input, PeakRssColumn.ReadPeakRssBytes());
        model.Dispose();
        image.Dispose();
        tasks.Dispose();
        modality.Dispose();
        labels.Dispose();
    }

    [Benchmark(Description = "forward")]
    public void Forward()
    {
        method = nameof(Forward);
        model.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        _ = model.forward(image, tasks, modality);
    }

    [Benchmark(Description = "forward+backward")]
    public void ForwardBackward()
    {
        method = nameof(ForwardBackward);
        model.train();
        using var scope = NewDisposeScope();
        model.zero_grad();
        var output = model.forward(image, tasks, modality);
        var total = loss.Compute(LossInput.From(output, labels, new PriorRequest(tasks, modality)));
        total.backward();
    }

    private static string[] Subset(string variable, string[] all)
    {
        var chosen = Environment.GetEnvironmentVariable(variable)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return chosen is { Length: > 0 } ? [.. all.Where(chosen.Contains)] : all;
    }

    private sealed class HermesModelBenchmarkConfig : ManualConfig
    {
        public HermesModelBenchmarkConfig()
        {
            // 5 calls: this 2-core VM shares its memory bus, and single calls vary by ±15 % (§13 reports median and minimum too).
            var job = Job.Default.WithLaunchCount(1).WithWarmupCount(1).WithIterationCount(5)
                .WithInvocationCount(1).WithUnrollFactor(1);
            if (ConvolutionKernelJobs.Requested)
            {
                AddJob([.. ConvolutionKernelJobs.From(job)]);
            }
            else
            {
                AddJob(ConvolutionKernelJobs.Named(job, "default-malloc", []).AsBaseline());
                AddJob(ConvolutionKernelJobs.Named(job, "retained-malloc", [new EnvironmentVariable("HERMES_BENCH_RETAIN_FREED_MEMORY", "1")]));
            }

            // The reference reports forward only at 128³ (§13: forward+backward needs 11.6–29 GB): that case is not run, so
            // no row is printed for it (an empty method would print a meaningless 1 µs row).
            AddFilter(new SimpleFilter(c => !(c.Descriptor.WorkloadMethod.Name == nameof(ForwardBackward)
                && Equals(c.Parameters[nameof(Input)], "1x128"))));
            AddColumn(StatisticColumn.Median, StatisticColumn.Min);
            AddColumn(new PeakRssColumn());
        }
    }
}
