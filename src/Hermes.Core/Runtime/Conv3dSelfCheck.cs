using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Runtime;

/// <summary>
/// A cheap numerical self-check of float32 <c>conv3d</c> against float64 on the shapes where LibTorch 2.10's oneDNN
/// fails on AVX-512 CPUs (input or output channels ≡ 8 mod 16 at 32³). Use it to verify a CPU before switching the
/// guard off (<see cref="OneDnnGuardMode.Off"/>).
/// </summary>
public static class Conv3dSelfCheck
{
    /// <summary>The relative tolerance: max |f32 − f64| ≤ tolerance · max |f64|.</summary>
    public const double Tolerance = 1e-4;

    /// <summary>Runs forward, input-gradient and weight-gradient checks for 24→8 and 8→24 channels at 32³ (a few hundred ms).</summary>
    /// <returns>The worst relative error of each check and whether all passed.</returns>
    public static Conv3dSelfCheckResult Run()
    {
        HermesRuntime.EnsureInitialized();
        var results = new List<(string, double)>();
        var informational = new List<(string, double)>();
        foreach (var (cin, cout) in new[] { (24, 8), (8, 24) })
        {
            using var scope = NewDisposeScope();
            var gen = new Generator(42);
            var x = randn([1, cin, 32, 32, 32], dtype: float64, generator: gen);
            var w = randn([cout, cin, 3, 3, 3], dtype: float64, generator: gen) / Math.Sqrt(cin * 27);
            var gy = randn([1, cout, 32, 32, 32], dtype: float64, generator: gen);
            var r64 = ForwardBackward(x, w, gy);
            var r32 = ForwardBackward(x.to(float32), w.to(float32), gy.to(float32));
            string[] names = ["forward", "input-grad", "weight-grad"];
            for (var i = 0; i < 3; i++)
            {
                var err = (r32[i].to(float64) - r64[i]).abs().max().item<double>();
                var scale = Math.Max(r64[i].abs().max().item<double>(), double.Epsilon);
                results.Add(($"{names[i]} {cin}->{cout} @32^3", double.IsNaN(err) ? double.PositiveInfinity : err / scale));
            }
        }

        // A second LibTorch defect, not covered by the ISA cap: the float32 backward of a depthwise conv3d whose input is a
        // channels-last view returns wrong input gradients. Hermes' modules hand contiguous tensors to such convolutions;
        // this check reports whether the defect is present on this machine.
        using (var scope = NewDisposeScope())
        {
            var gen = new Generator(43);
            const int channels = 32;
            var x = randn([1, 16, 16, 16, channels], dtype: float64, generator: gen).permute(0, 4, 1, 2, 3); // channels-last view
            var w = randn([channels, 1, 3, 3, 3], dtype: float64, generator: gen) / Math.Sqrt(27);
            var gy = randn([1, channels, 16, 16, 16], dtype: float64, generator: gen);
            var r64 = ForwardBackward(x, w, gy, groups: channels);
            var r32 = ForwardBackward(x.to(float32), w.to(float32), gy.to(float32), groups: channels);
            var err = (r32[1].to(float64) - r64[1]).abs().max().item<double>();
            var scale = Math.Max(r64[1].abs().max().item<double>(), double.Epsilon);
            informational.Add(("depthwise channels-last input-grad 32 @16^3", double.IsNaN(err) ? double.PositiveInfinity : err / scale));
        }

        return new Conv3dSelfCheckResult(results.All(r => r.Item2 <= Tolerance), results, informational);
    }

    /// <summary>
    /// The input channel counts of <see cref="Sweep"/>: every residue class the defect depends on (≡ 8 mod 16 among them)
    /// and the narrow widths of small models.
    /// </summary>
    public static IReadOnlyList<int> SweepInputChannels { get; } = [1, 3, 8, 12, 16, 20, 24, 32, 40, 48, 56, 64, 96];

    /// <summary>The output channel counts of <see cref="Sweep"/>, crossed with <see cref="SweepInputChannels"/>.</summary>
    public static IReadOnlyList<int> SweepOutputChannels { get; } = [8, 16, 24, 32];

    /// <summary>
    /// Convolutions of the published Hermes-R and Hermes-M (input → output channels, cube side) that the sweep adds to the
    /// cross product: wider layers that oneDNN blocks differently.
    /// </summary>
    public static IReadOnlyList<(int In, int Out, int Size)> SweepModelShapes { get; } =
        [(32, 64, 32), (96, 32, 32), (64, 64, 32), (192, 64, 32), (128, 128, 32), (384, 128, 16), (256, 256, 16), (576, 256, 16)];

    /// <summary>
    /// The thorough check behind a recorded <see cref="OneDnnVerdict"/>: float32 forward, input gradient and weight gradient of
    /// 3³ convolutions (padding 1) against float64, for every pair of <see cref="SweepInputChannels"/> ×
    /// <see cref="SweepOutputChannels"/> at 16³ and 32³ plus <see cref="SweepModelShapes"/>, at each of
    /// <paramref name="threadCounts"/> (oneDNN's blocking can depend on the thread count). About a minute on 2 cores.
    /// </summary>
    /// <param name="threadCounts">Intra-op thread counts; <see langword="null"/> for 1 and the processor count.</param>
    /// <param name="progress">Receives the fraction done, from 0 to 1.</param>
    /// <returns>The verdict of the sweep in this process (with whatever ISA cap is in force).</returns>
    public static Conv3dSweepResult Sweep(IReadOnlyList<int>? threadCounts = null, IProgress<double>? progress = null)
    {
        var report = HermesRuntime.EnsureInitialized();
        var counts = (threadCounts ?? [1, Environment.ProcessorCount]).Distinct().ToArray();
        if (counts.Length == 0 || counts.Any(c => c < 1))
        {
            throw new ArgumentException("Thread counts must be ≥ 1.", nameof(threadCounts));
        }

        var shapes = new List<(int In, int Out, int Size)>();
        foreach (var size in new[] { 16, 32 })
        {
            shapes.AddRange(SweepInputChannels.SelectMany(cin => SweepOutputChannels.Select(cout => (cin, cout, size))));
        }

        shapes.AddRange(SweepModelShapes);
        var failures = new List<string>();
        var worst = 0.0;
        var comparisons = 0;
        var original = get_num_threads();
        string[] passes = ["forward", "input-grad", "weight-grad"];
        try
        {
            for (var i = 0; i < shapes.Count; i++)
            {
                var (cin, cout, size) = shapes[i];
                using var scope = NewDisposeScope();
                var gen = new Generator((ulong)(1000 + (cin * 131) + cout + size));
                var x = randn([1, cin, size, size, size], dtype: float64, generator: gen);
                var w = randn([cout, cin, 3, 3, 3], dtype: float64, generator: gen) / Math.Sqrt(cin * 27);
                var gy = randn([1, cout, size, size, size], dtype: float64, generator: gen);
                var r64 = ForwardBackward(x, w, gy);
                var scales = r64.Select(r => Math.Max(r.abs().max().item<double>(), double.Epsilon)).ToArray();
                using var x32 = x.to(float32);
                using var w32 = w.to(float32);
                using var gy32 = gy.to(float32);
                foreach (var threads in counts)
                {
                    set_num_threads(threads);
                    var r32 = ForwardBackward(x32, w32, gy32);
                    for (var k = 0; k < 3; k++)
                    {
                        var err = (r32[k].to(float64) - r64[k]).abs().max().item<double>() / scales[k];
                        err = double.IsNaN(err) ? double.PositiveInfinity : err;
                        worst = Math.Max(worst, err);
                        comparisons++;
                        if (!(err <= Tolerance))
                        {
                            failures.Add(FormattableString.Invariant($"{passes[k]} {cin}→{cout} @{size}³, {threads} thread(s): {err:G3}"));
                        }
                    }
                }

                progress?.Report((i + 1) / (double)shapes.Count);
            }
        }
        finally
        {
            set_num_threads(original);
        }

        return new Conv3dSweepResult(failures.Count == 0, comparisons, worst, counts, failures, report.OneDnnGuard.IsaCap);
    }

    private static Tensor[] ForwardBackward(Tensor x, Tensor w, Tensor gy, int groups = 1)
    {
        x = x.detach().requires_grad_(true);
        w = w.detach().requires_grad_(true);
        var y = nn.functional.conv3d(x, w, padding: [1, 1, 1], groups: groups);
        y.backward([gy]);
        return [y.detach(), x.grad!.detach(), w.grad!.detach()];
    }
}
