namespace Hermes.Cli.Tests;

/// <summary>
/// <c>hermes train --config</c>: an invalid option fails before training with a message naming it; a valid configuration
/// trains on a manifest and writes a checkpoint.
/// </summary>
public sealed class TrainCommandTests
{
    [Fact]
    public void InvalidOptionFailsNamingIt()
    {
        var dir = Directory.CreateTempSubdirectory("hermes-train-test").FullName;
        try
        {
            var config = Path.Combine(dir, "train.json");
            File.WriteAllText(config, """{ "Hermes": { "BaseChannels": 4, "PatchSize": [32, 32, 40], "Tasks": ["amos/liver", "amos/not_an_organ"] } }""");
            var (code, _, stderr) = HermesProcess.Run(TimeSpan.FromMinutes(1), "train", "--config", config);
            Assert.Equal(2, code);
            Assert.Contains("Hermes:PatchSize = [32, 32, 40] is invalid", stderr);
            Assert.Contains("Hermes:Tasks = 'amos/not_an_organ' is invalid: unknown task name", stderr);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [Fact]
    public void ValidConfigurationTrainsAndWritesACheckpoint()
    {
        var dir = Directory.CreateTempSubdirectory("hermes-train-test").FullName;
        try
        {
            // Reuse the demo's CT phantoms (labels 1–3) as an amos_ct dataset of the built-in catalog: only the mechanics are tested.
            var demo = Path.Combine(dir, "demo");
            var (demoCode, demoOut, demoErr) = HermesProcess.Run(TimeSpan.FromMinutes(5), "demo", "--output", demo, "--steps", "10", "--cases", "2", "--size", "32", "--patch", "32", "--base-channels", "4");
            Assert.True(demoCode is 0 or 1, $"{demoOut}\n{demoErr}");
            var manifest = Path.Combine(dir, "manifest.tsv");
            var rows = File.ReadAllLines(Path.Combine(demo, "phantoms", "manifest.tsv"))
                .Where(l => l.StartsWith("phantom_ct", StringComparison.Ordinal))
                .Select(l => "amos_ct" + l["phantom_ct".Length..]);
            File.WriteAllLines(manifest, ["dataset\tcase_id\tmodality\timage\tlabel", .. FixPaths(rows, Path.Combine(demo, "phantoms"))]);
            var config = Path.Combine(dir, "train.json");
            File.WriteAllText(config, $$"""
                {
                  "Hermes": {
                    "Backbone": "resunet", "BaseChannels": 4, "PatchSize": [32, 32, 32],
                    "Training": { "Manifest": "{{manifest}}", "Datasets": ["amos_ct"], "Epochs": 2, "StepsPerEpoch": 2, "BatchSize": 1,
                                  "WarmupEpochs": 0, "OutputDirectory": "{{Path.Combine(dir, "run")}}" }
                  }
                }
                """);
            var (code, stdout, stderr) = HermesProcess.Run(TimeSpan.FromMinutes(5), "train", "--config", config);
            Assert.True(code == 0, $"{stdout}\n{stderr}");
            Assert.Contains("trained 4 steps", stdout);
            Assert.True(File.Exists(Path.Combine(dir, "run", "final.safetensors")));
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Makes image and label paths of manifest rows absolute (the manifest moves to another folder).</summary>
    private static IEnumerable<string> FixPaths(IEnumerable<string> rows, string folder) => rows.Select(r =>
    {
        var c = r.Split('\t');
        c[3] = Path.Combine(folder, Path.GetFileName(c[3]));
        c[4] = Path.Combine(folder, Path.GetFileName(c[4]));
        return string.Join('\t', c);
    });
}
