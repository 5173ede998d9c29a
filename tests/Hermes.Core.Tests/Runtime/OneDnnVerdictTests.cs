using System.Runtime.InteropServices;
using Hermes.Runtime;

namespace Hermes.Core.Tests.Runtime;

/// <summary>
/// A recorded verdict of the uncapped conv3d sweep decides the guard in auto mode only for the CPU and TorchSharp build it
/// was taken on; it survives a round trip through its file, and a damaged file is ignored (the cap stays), never thrown.
/// </summary>
public sealed class OneDnnVerdictTests
{
    private static readonly CpuInfo Avx512 = new(Architecture.X64, "AuthenticAMD", true, true) { Signature = "X64 | AuthenticAMD | test CPU | cache=L2U:1024K" };

    private static OneDnnVerdict Verdict(bool passed, string? signature = null, string? torchSharp = null) =>
        new(passed, signature ?? Avx512.Signature, torchSharp ?? OneDnnVerdict.CurrentTorchSharpVersion,
            new DateTimeOffset(2026, 11, 30, 4, 0, 0, TimeSpan.Zero), 672, passed ? 8.8e-6 : double.PositiveInfinity, [1, 2],
            passed ? [] : ["input-grad 24→8 @16³, 2 thread(s): ∞"]);

    [Fact]
    public void AutoHonoursAPassingVerdictForThisCpuAndBuildOnly()
    {
        Assert.Null(OneDnnGuard.Decide(OneDnnGuardMode.Auto, Avx512, null, Verdict(true), "v.json").IsaCap);
        Assert.Contains("passed the uncapped conv3d sweep", OneDnnGuard.Decide(OneDnnGuardMode.Auto, Avx512, null, Verdict(true), "v.json").Reason,
            StringComparison.Ordinal);

        var failed = OneDnnGuard.Decide(OneDnnGuardMode.Auto, Avx512, null, Verdict(false), "v.json");
        Assert.Equal("AVX2", failed.IsaCap);
        Assert.Contains("FAILED", failed.Reason, StringComparison.Ordinal);

        var otherCpu = OneDnnGuard.Decide(OneDnnGuardMode.Auto, Avx512, null, Verdict(true, signature: "X64 | GenuineIntel | other"), "v.json");
        Assert.Equal("AVX2", otherCpu.IsaCap);
        Assert.Contains("ignored", otherCpu.Reason, StringComparison.Ordinal);
        Assert.Equal("AVX2", OneDnnGuard.Decide(OneDnnGuardMode.Auto, Avx512, null, Verdict(true, torchSharp: "0.106.0.0"), "v.json").IsaCap);
        Assert.Equal("AVX2", OneDnnGuard.Decide(OneDnnGuardMode.Auto, Avx512 with { Signature = string.Empty }, null,
            Verdict(true, signature: string.Empty), "v.json").IsaCap); // an unknown CPU never matches

        // Explicit modes and the user's own ONEDNN_MAX_CPU_ISA win over any verdict.
        Assert.Equal("AVX2", OneDnnGuard.Decide(OneDnnGuardMode.ForceAvx2, Avx512, null, Verdict(true), "v.json").IsaCap);
        Assert.Null(OneDnnGuard.Decide(OneDnnGuardMode.Off, Avx512, null, Verdict(false), "v.json").IsaCap);
        Assert.Equal("AVX512_CORE", OneDnnGuard.Decide(OneDnnGuardMode.Auto, Avx512, "AVX512_CORE", Verdict(false), "v.json").IsaCap);
        // No AVX-512: nothing to cap, whatever the verdict says.
        Assert.Null(OneDnnGuard.Decide(OneDnnGuardMode.Auto, Avx512 with { HasAvx512F = false }, null, Verdict(false), "v.json").IsaCap);
    }

    [Fact]
    public void VerdictFileRoundTripsAndDamagedFilesAreIgnored()
    {
        var folder = Directory.CreateTempSubdirectory("hermes-verdict-");
        try
        {
            var path = Path.Combine(folder.FullName, "sub", "verdict.json");
            foreach (var verdict in new[] { Verdict(true), Verdict(false) })
            {
                Assert.Equal(path, OneDnnVerdictStore.Write(verdict, path));
                Assert.Empty(Directory.GetFiles(Path.GetDirectoryName(path)!, "*.tmp")); // written atomically
                var back = OneDnnVerdictStore.TryRead(path, out var problem);
                Assert.Null(problem);
                Assert.NotNull(back);
                Assert.Equal(verdict.Passed, back.Passed);
                Assert.Equal(verdict.CpuSignature, back.CpuSignature);
                Assert.Equal(verdict.TorchSharpVersion, back.TorchSharpVersion);
                Assert.Equal(verdict.CheckedUtc, back.CheckedUtc);
                Assert.Equal(verdict.Comparisons, back.Comparisons);
                Assert.Equal(verdict.WorstRelativeError, back.WorstRelativeError);
                Assert.Equal(verdict.ThreadCounts, back.ThreadCounts);
                Assert.Equal(verdict.Failures, back.Failures);
            }

            var text = File.ReadAllText(path);
            File.WriteAllText(path, text[..(text.Length / 2)]);
            Assert.Null(OneDnnVerdictStore.TryRead(path, out var truncated));
            Assert.Contains(path, truncated, StringComparison.Ordinal);

            File.WriteAllText(path, """{"passed": true}""");
            Assert.Null(OneDnnVerdictStore.TryRead(path, out var incomplete));
            Assert.Contains("incomplete", incomplete, StringComparison.Ordinal);

            var missing = Path.Combine(folder.FullName, "absent.json");
            Assert.Null(OneDnnVerdictStore.TryRead(missing, out var absent));
            Assert.Contains("no verdict", absent, StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void OnlyAnUncappedSweepMakesAVerdict()
    {
        var capped = new Conv3dSweepResult(true, 672, 1e-6, [1, 2], [], "AVX2");
        var e = Assert.Throws<ArgumentException>(() => OneDnnVerdict.FromUncappedSweep(capped, DateTimeOffset.UtcNow));
        Assert.Contains("HERMES_ONEDNN_GUARD=off", e.Message, StringComparison.Ordinal);

        var verdict = OneDnnVerdict.FromUncappedSweep(capped with { IsaCap = null, Passed = false, Failures = ["x"] }, DateTimeOffset.UtcNow);
        Assert.False(verdict.Passed);
        Assert.Equal(CpuInfo.Current.Signature, verdict.CpuSignature);
        Assert.True(verdict.AppliesTo(CpuInfo.Current, OneDnnVerdict.CurrentTorchSharpVersion) || CpuInfo.Current.Signature.Length == 0);
    }
}
