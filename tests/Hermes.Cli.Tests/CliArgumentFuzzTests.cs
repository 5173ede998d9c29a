namespace Hermes.Cli.Tests;

/// <summary>
/// Random command lines (issue #24; fixed seed): every command with flags drawn from its own and from hostile values —
/// missing and traversing paths, empty, negative, huge and non-numeric numbers, unknown devices and choices. Each run
/// ends by itself with exit code 0, 1 or 2 and, when it fails, says why on standard error without a stack trace, and none
/// uses more memory than a run of the tool itself needs (sampled peak resident memory). Flags that size allocations
/// (demo's phantoms, patches and widths, a configuration's patch size) are refused with huge values before anything is
/// allocated or written.
/// </summary>
public sealed class CliArgumentFuzzTests : IDisposable
{
    private const int Cases = 24;

    /// <summary>
    /// The most resident memory one of these runs may reach: the runtime with LibTorch loaded takes ≈ 250 MB here; a
    /// refused flag or file must not come near the gigabytes its value would imply.
    /// </summary>
    private const long MemoryBound = 1L << 30;

    private static readonly string[] Commands = ["predict", "evaluate", "extend", "train", "info"];

    private static readonly string[] Flags =
    [
        "--model", "--input", "--tasks", "--output", "--modality", "--overlap", "--device", "--windows-per-batch", "--min-size",
        "--non-finite", "--save-probabilities", "--pred", "--ref", "--labels", "--metrics", "--tolerance", "--out", "--add-task",
        "--add-modality", "--config", "--steps", "--resume", "--init-from", "--freeze", "--masks", "--tta", "--verbose", "--force",
    ];

    private readonly string root = Directory.CreateTempSubdirectory("hermes-argfuzz-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void RandomCommandLinesFailCleanly()
    {
        var empty = Path.Combine(root, "empty.safetensors");
        File.WriteAllBytes(empty, []);
        var junk = Path.Combine(root, "junk.json");
        File.WriteAllText(junk, "{ \"Hermes\": { \"PatchSize\": [4096] ");
        string[] values =
        [
            "", "-1", "0", "1e309", "NaN", "banana", "cuda:99", "../../../etc/passwd", "/dev/null", empty, junk, root,
            Path.Combine(root, "missing.nii.gz"), "liver,,spleen", "a=b=c", new string('x', 5000), "float8", "0.99999",
        ];
        var seed = int.TryParse(Environment.GetEnvironmentVariable("HERMES_FUZZ_SEED"), out var s) ? s : 20261207;
        var random = new Random(seed);
        for (var n = 0; n < Cases; n++)
        {
            List<string> args = [Commands[random.Next(Commands.Length)]];
            for (var f = random.Next(0, 7); f > 0; f--)
            {
                args.Add(Flags[random.Next(Flags.Length)]);
                if (random.Next(4) > 0)
                {
                    args.Add(values[random.Next(values.Length)]);
                }
            }

            var (code, stdout, stderr, peak) = HermesProcess.RunMeasuringMemory(TimeSpan.FromMinutes(1), [.. args]);
            var shown = string.Join(' ', args.Select(a => a.Length > 40 ? a[..40] + "…" : a));
            Assert.True(code is 0 or 1 or 2, $"case {n} (seed {seed}) `hermes {shown}`: exit {code}\n{stderr}");
            Assert.True(peak < MemoryBound, $"case {n} (seed {seed}) `hermes {shown}`: peak resident memory {peak >> 20} MiB");
            Assert.DoesNotContain("Unhandled exception", stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("\n   at ", stderr + stdout, StringComparison.Ordinal);
            if (code != 0)
            {
                Assert.False(string.IsNullOrWhiteSpace(stderr), $"case {n} `hermes {shown}` failed ({code}) without a message");
            }
        }
    }

    public static TheoryData<string[], string> HugeSizes => new()
    {
        { ["demo", "--size", "100000"], "--size 100000 is invalid: expected 16–256 voxels." },
        { ["demo", "--cases", "1000000000"], "--cases 1000000000 is invalid: expected 2–200 phantoms per modality." },
        { ["demo", "--size", "256", "--patch", "4096"], "--patch 4096 is invalid: expected a multiple of 16 in 16–128." },
        { ["demo", "--base-channels", "100000"], "--base-channels 100000 is invalid: expected 1–64." },
        { ["demo", "--steps", "2147483647"], "--steps 2147483647 is invalid: expected 10–80000." },
        { ["train", "--config", "CONFIG"], "Hermes:PatchSize = [4096, 4096, 4096] is invalid: at most 1024 a side" },
    };

    [Theory]
    [MemberData(nameof(HugeSizes))]
    public void HugeSizesAreRefusedBeforeAnythingIsAllocated(string[] args, string message)
    {
        var output = Path.Combine(root, "out");
        var config = Path.Combine(root, "huge.json");
        File.WriteAllText(config, $$"""{ "Hermes": { "Backbone": "resunet", "PatchSize": [4096, 4096, 4096], "Training": { "Manifest": "{{config}}", "Datasets": ["amos_ct"], "OutputDirectory": "{{output}}" } } }""");
        string[] line = [.. args.Select(a => a == "CONFIG" ? config : a), .. args[0] == "demo" ? ["--output", output] : Array.Empty<string>()];
        var (code, stdout, stderr, peak) = HermesProcess.RunMeasuringMemory(TimeSpan.FromMinutes(1), line);
        Assert.True(code == 2, $"{code}\n{stdout}\n{stderr}");
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.True(peak < MemoryBound, $"peak resident memory {peak >> 20} MiB");
        if (OperatingSystem.IsLinux())
        {
            Assert.True(peak > 20 << 20, $"the memory sampler saw {peak} bytes; a bound it cannot measure proves nothing");
        }

        Assert.False(Directory.Exists(output));
    }
}
