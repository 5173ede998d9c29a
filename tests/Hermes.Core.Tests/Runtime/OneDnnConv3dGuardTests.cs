using Hermes.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Core.Tests.Runtime;

/// <summary>
/// Proves that, through the library's runtime guard, float32 conv3d (forward, input and weight gradients) agrees with
/// float64 on the channel counts that LibTorch 2.10's oneDNN gets wrong on AVX-512 CPUs.
/// </summary>
public sealed class OneDnnConv3dGuardTests
{
    private static readonly int[] InputChannels = [1, 3, 8, 12, 16, 20, 24, 32, 40, 48, 56, 64, 96];
    private static readonly int[] OutputChannels = [8, 16, 24, 32];

    public static TheoryData<int> Sizes => new() { 16, 32 };

    [Theory]
    [MemberData(nameof(Sizes))]
    public void Float32Conv3dMatchesFloat64ForwardAndBackward(int size)
    {
        var report = HermesRuntime.EnsureInitialized();
        Assert.True(report.OneDnnGuardEffective, $"oneDNN guard not in force: {report.OneDnnGuard}");

        var failures = new List<string>();
        foreach (var cin in InputChannels)
        {
            foreach (var cout in OutputChannels)
            {
                using var scope = NewDisposeScope();
                var gen = new Generator((ulong)(1000 + (cin * 131) + cout));
                var x64 = randn([1, cin, size, size, size], dtype: float64, generator: gen);
                var w64 = randn([cout, cin, 3, 3, 3], dtype: float64, generator: gen) / Math.Sqrt(cin * 27);
                var gy64 = randn([1, cout, size, size, size], dtype: float64, generator: gen);

                var (y64, gx64, gw64) = ForwardBackward(x64, w64, gy64);
                var (y32, gx32, gw32) = ForwardBackward(x64.to(float32), w64.to(float32), gy64.to(float32));

                Check(failures, $"forward {cin}->{cout} @{size}^3", y32, y64);
                Check(failures, $"input-grad {cin}->{cout} @{size}^3", gx32, gx64);
                Check(failures, $"weight-grad {cin}->{cout} @{size}^3", gw32, gw64);
            }
        }

        Assert.True(failures.Count == 0, $"{failures.Count} float32 conv3d results disagree with float64 (guard: {report.OneDnnGuard}):\n{string.Join('\n', failures)}");
    }

    [Fact]
    public void GuardDecisionFollowsTheDocumentedRule()
    {
        var avx512 = new CpuInfo(System.Runtime.InteropServices.Architecture.X64, "AuthenticAMD", true, true);
        var avx2 = avx512 with { HasAvx512F = false, Vendor = "GenuineIntel" };

        Assert.Equal("AVX2", OneDnnGuard.Decide(OneDnnGuardMode.Auto, avx512, null).IsaCap);
        Assert.Null(OneDnnGuard.Decide(OneDnnGuardMode.Auto, avx2, null).IsaCap);
        Assert.Equal("AVX2", OneDnnGuard.Decide(OneDnnGuardMode.ForceAvx2, avx2, null).IsaCap);
        Assert.Null(OneDnnGuard.Decide(OneDnnGuardMode.Off, avx512, null).IsaCap);
        Assert.Equal("AVX512_CORE", OneDnnGuard.Decide(OneDnnGuardMode.Auto, avx512, "AVX512_CORE").IsaCap);

        // On this process the decision is what the rule says for this CPU, the mode HERMES_ONEDNN_GUARD sets (Auto when unset;
        // the test command also runs under forced modes) and the machine's recorded verdict, if any, and it reached the native
        // environment.
        var verdictPath = OneDnnVerdictStore.DefaultPath;
        var verdict = OneDnnVerdictStore.TryRead(verdictPath, out _);
        var expected = OneDnnGuard.Decide(OneDnnGuard.ModeFromEnvironmentOrAuto(), CpuInfo.Current, null, verdict, verdictPath).IsaCap;
        Assert.Equal(expected, HermesRuntime.EnsureInitialized().OneDnnGuard.IsaCap);
        if (expected is not null)
        {
            Assert.Equal(expected, NativeEnvironment.Get(OneDnnGuard.IsaVariable));
        }
    }

    private static (Tensor Y, Tensor GradInput, Tensor GradWeight) ForwardBackward(Tensor x, Tensor w, Tensor gy)
    {
        x = x.detach().requires_grad_(true);
        w = w.detach().requires_grad_(true);
        var y = nn.functional.conv3d(x, w, padding: [1, 1, 1]);
        y.backward([gy]);
        return (y.detach(), x.grad!.detach(), w.grad!.detach());
    }

    private static void Check(List<string> failures, string what, Tensor actual, Tensor reference)
    {
        var err = (actual.to(float64) - reference).abs().max().item<double>();
        var scale = reference.abs().max().item<double>();
        if (!(err <= 1e-4 * scale))
        {
            failures.Add($"{what}: max |f32 - f64| = {err:G4}, {err / scale:G4} of max |f64| = {scale:G4}");
        }
    }
}
