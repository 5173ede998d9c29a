using Hermes.Runtime;

namespace Hermes.Cli.Tests;

/// <summary>
/// <c>hermes info --system --self-check --record</c>, run as a process: it sweeps conv3d without the oneDNN cap in a child
/// process, records the verdict atomically where <c>HERMES_ONEDNN_VERDICT</c> says, and the next process's default guard
/// decides by it — uncapped after a pass, capped after a failure, capped when the verdict belongs to another CPU.
/// </summary>
public sealed class OneDnnVerdictRecordingTests
{
    [Fact]
    public void RecordedVerdictDecidesTheDefaultGuardOfLaterProcesses()
    {
        var folder = Directory.CreateTempSubdirectory("hermes-verdict-cli-");
        try
        {
            var path = Path.Combine(folder.FullName, "verdict.json");
            var environment = new Dictionary<string, string?>
            {
                [OneDnnVerdictStore.PathVariable] = path,
                [OneDnnGuard.ModeVariable] = null,
                [OneDnnGuard.IsaVariable] = null,
            };
            var (code, output, error) = HermesProcess.Run(TimeSpan.FromMinutes(10), environment, "info", "--system", "--self-check", "--record");
            if (!CpuInfo.Current.HasAvx512F)
            {
                Assert.Equal(0, code);
                Assert.Contains("nothing to record", output, StringComparison.Ordinal);
                Assert.False(File.Exists(path));
                return;
            }

            Assert.True(File.Exists(path), $"no verdict written (exit {code}):\n{output}\n{error}");
            var verdict = OneDnnVerdictStore.TryRead(path, out var problem);
            Assert.True(verdict is not null, problem);
            Assert.Equal(verdict.Passed ? 0 : 1, code);
            Assert.Equal(CpuInfo.Current.Signature, verdict.CpuSignature);
            int[] threads = [.. new[] { 1, Environment.ProcessorCount }.Distinct()];
            Assert.Equal(threads, verdict.ThreadCounts);
            var shapes = (Conv3dSelfCheck.SweepInputChannels.Count * Conv3dSelfCheck.SweepOutputChannels.Count * 2) + Conv3dSelfCheck.SweepModelShapes.Count;
            Assert.Equal(shapes * 3 * threads.Length, verdict.Comparisons); // forward and both gradients, every shape, every thread count
            Assert.Equal(verdict.Passed, verdict.Failures.Count == 0);
            Assert.Empty(Directory.GetFiles(folder.FullName, "*.tmp"));

            var (infoCode, info, _) = HermesProcess.Run(TimeSpan.FromMinutes(2), environment, "info", "--system");
            Assert.Equal(0, infoCode);
            Assert.Contains(verdict.Passed ? "no ISA cap (this CPU passed the uncapped conv3d sweep" : "ONEDNN_MAX_CPU_ISA=AVX2 (this CPU FAILED", Flatten(info),
                StringComparison.Ordinal);

            // The same verdict for another CPU is ignored: the cap comes back.
            File.WriteAllText(path, (verdict with { CpuSignature = "X64 | AuthenticAMD | some other CPU" }).ToJson());
            var (_, foreign, _) = HermesProcess.Run(TimeSpan.FromMinutes(2), environment, "info", "--system");
            Assert.Contains("ONEDNN_MAX_CPU_ISA=AVX2", Flatten(foreign), StringComparison.Ordinal);
            Assert.Contains("is ignored", Flatten(foreign), StringComparison.Ordinal);
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    // The system report is a table that wraps long values over several rows; join the cells back into one line.
    private static string Flatten(string table) => string.Join(' ', table.Split('\n')
        .Select(line => line.Split('│', StringSplitOptions.TrimEntries).ElementAtOrDefault(2) ?? string.Empty)
        .Where(cell => cell.Length > 0));
}
