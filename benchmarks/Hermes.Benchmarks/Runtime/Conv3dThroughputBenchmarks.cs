using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using Hermes.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Benchmarks.Runtime;

/// <summary>
/// float32 conv3d (3³, padding 1, batch 1) with and without the oneDNN guard (ONEDNN_MAX_CPU_ISA=AVX2).
/// The guard is process-wide and must be set before LibTorch loads, so each setting runs in its own job (process),
/// selected by the HERMES_ONEDNN_GUARD environment variable.
/// </summary>
[Config(typeof(Conv3dGuardConfig))]
public class Conv3dThroughputBenchmarks
{
    private Tensor input = null!;
    private Tensor weight = null!;
    private Tensor gradOutput = null!;

    /// <summary>The case: in→out channels at a cubic size.</summary>
    [Params("32->32@64", "128->128@32")]
    public string Case { get; set; } = "32->32@64";

    /// <summary>Multiply–adds ×2 of one forward pass.</summary>
    public static double ForwardFlops(string c)
    {
        var (cin, cout, size) = Parse(c);
        return 2.0 * cin * cout * 27 * Math.Pow(size, 3);
    }

    [GlobalSetup]
    public void Setup()
    {
        var report = HermesRuntime.EnsureInitialized(new HermesRuntimeOptions { Threads = 2 });
        Console.WriteLine($"// oneDNN guard: {report.OneDnnGuard}; threads {report.Threads}");
        var (cin, cout, size) = Parse(Case);
        input = randn([1, cin, size, size, size]).requires_grad_(true);
        weight = (randn([cout, cin, 3, 3, 3]) / Math.Sqrt(cin * 27)).requires_grad_(true);
        gradOutput = randn([1, cout, size, size, size]);
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        input.Dispose();
        weight.Dispose();
        gradOutput.Dispose();
    }

    [Benchmark(Description = "forward")]
    public void Forward()
    {
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        _ = nn.functional.conv3d(input, weight, padding: [1, 1, 1]);
    }

    [Benchmark(Description = "forward+backward")]
    public void ForwardBackward()
    {
        using var scope = NewDisposeScope();
        input.grad?.zero_();
        weight.grad?.zero_();
        var y = nn.functional.conv3d(input, weight, padding: [1, 1, 1]);
        y.backward([gradOutput]);
    }

    private static (int In, int Out, int Size) Parse(string c)
    {
        var cin = int.Parse(c[..c.IndexOf('-', StringComparison.Ordinal)], System.Globalization.CultureInfo.InvariantCulture);
        var rest = c[(c.IndexOf('>', StringComparison.Ordinal) + 1)..].Split('@');
        return (cin, int.Parse(rest[0], System.Globalization.CultureInfo.InvariantCulture), int.Parse(rest[1], System.Globalization.CultureInfo.InvariantCulture));
    }

    private sealed class Conv3dGuardConfig : ManualConfig
    {
        public Conv3dGuardConfig()
        {
            var job = Job.ShortRun.WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(5);
            AddJob(job.WithEnvironmentVariables(new EnvironmentVariable(OneDnnGuard.ModeVariable, "avx2")).WithId("guard-avx2").AsBaseline());
            // The host process (Hermes.Core's module initializer) may already have set ONEDNN_MAX_CPU_ISA=AVX2, which a child
            // inherits and the Off mode leaves alone: name oneDNN's own default ("ALL") explicitly.
            AddJob(job.WithEnvironmentVariables(
                new EnvironmentVariable(OneDnnGuard.ModeVariable, "off"),
                new EnvironmentVariable(OneDnnGuard.IsaVariable, "ALL")).WithId("no-guard"));
            AddColumn(new GflopsColumn());
        }
    }
}
