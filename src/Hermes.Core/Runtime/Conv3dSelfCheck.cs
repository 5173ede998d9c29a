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

        return new Conv3dSelfCheckResult(results.All(r => r.Item2 <= Tolerance), results);
    }

    private static Tensor[] ForwardBackward(Tensor x, Tensor w, Tensor gy)
    {
        x = x.detach().requires_grad_(true);
        w = w.detach().requires_grad_(true);
        var y = nn.functional.conv3d(x, w, padding: [1, 1, 1]);
        y.backward([gy]);
        return [y.detach(), x.grad!.detach(), w.grad!.detach()];
    }
}
