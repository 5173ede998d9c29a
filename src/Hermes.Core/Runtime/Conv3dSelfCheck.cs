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

    private static Tensor[] ForwardBackward(Tensor x, Tensor w, Tensor gy, int groups = 1)
    {
        x = x.detach().requires_grad_(true);
        w = w.detach().requires_grad_(true);
        var y = nn.functional.conv3d(x, w, padding: [1, 1, 1], groups: groups);
        y.backward([gy]);
        return [y.detach(), x.grad!.detach(), w.grad!.detach()];
    }
}
