namespace Hermes.Cli.Tests;

/// <summary>
/// Random command lines (issue #24; fixed seed): every command with flags drawn from its own and from hostile values —
/// missing and traversing paths, empty, negative, huge and non-numeric numbers, unknown devices and choices. Each run
/// ends by itself with exit code 0, 1 or 2 and, when it fails, says why on standard error without a stack trace.
/// </summary>
public sealed class CliArgumentFuzzTests : IDisposable
{
    private const int Cases = 24;

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

            var (code, stdout, stderr) = HermesProcess.Run(TimeSpan.FromMinutes(1), [.. args]);
            var shown = string.Join(' ', args.Select(a => a.Length > 40 ? a[..40] + "…" : a));
            Assert.True(code is 0 or 1 or 2, $"case {n} (seed {seed}) `hermes {shown}`: exit {code}\n{stderr}");
            Assert.DoesNotContain("Unhandled exception", stderr, StringComparison.Ordinal);
            Assert.DoesNotContain("\n   at ", stderr + stdout, StringComparison.Ordinal);
            if (code != 0)
            {
                Assert.False(string.IsNullOrWhiteSpace(stderr), $"case {n} `hermes {shown}` failed ({code}) without a message");
            }
        }
    }
}
