using SkiaSharp;
using Hermes.IO;

namespace Hermes.Cli.Tests;

/// <summary>
/// <c>hermes demo</c> end to end with a tiny setting (few steps, 32³ phantoms): it writes the phantom dataset, trains, and for
/// every held-out case writes a NIfTI label map on the phantom's grid and a PNG overlay whose reference outlines use one
/// colour per task (liver red, spleen blue, kidney yellow, bladder green), and prints the Dice table. (The full demo's
/// accuracy — mean Dice ≥ 0.8 — is measured by running <c>./build.sh demo</c>, not in the unit suite.)
/// </summary>
public sealed class DemoCommandTests
{
    [Fact]
    public void TinyDemoWritesPredictionsOverlaysAndADiceTable()
    {
        var output = Directory.CreateTempSubdirectory("hermes-demo-test").FullName;
        try
        {
            var (code, stdout, stderr) = HermesProcess.Run(TimeSpan.FromMinutes(5), "demo", "--output", output, "--steps", "10", "--cases", "3", "--size", "32", "--patch", "32", "--base-channels", "8");
            Assert.True(code is 0 or 1, $"exit {code}\n{stdout}\n{stderr}"); // 1 = trained too briefly to reach the Dice bar
            Assert.Contains("Held-out Dice", stdout);
            Assert.Contains("phantom/liver", stdout);
            Assert.Contains("mean over tasks", stdout);

            var predictions = Directory.GetFiles(Path.Combine(output, "predictions"), "*.nii.gz").Order().ToArray();
            Assert.Equal(4, predictions.Length); // 3 cases per modality: the last 2 of each are held out
            using var prediction = VolumeIO.Read(predictions[0]);
            using var phantom = VolumeIO.Read(Path.Combine(output, "phantoms", "ct_001_image.nii.gz"));
            Assert.True(prediction.Geometry.IsSameGrid(phantom.Geometry), $"{prediction.Geometry} vs {phantom.Geometry}");

            var overlays = Directory.GetFiles(Path.Combine(output, "overlays"), "*.png").Order().ToArray();
            Assert.Equal(4, overlays.Length);
            using var ct = SKBitmap.Decode(overlays[0]);
            Assert.Equal((3 * 32 * 4) + (2 * 4), ct.Width); // three zoomed views and two gaps
            Assert.Equal(32 * 4, ct.Height);

            // The reference outlines are drawn in the task's solid colour: CT labels liver, spleen and kidney; MR liver,
            // kidney and bladder. The same task has the same colour in both modalities, and no two tasks share one.
            SKColor liver = new(230, 25, 75), spleen = new(0, 130, 200), kidney = new(255, 225, 25), bladder = new(60, 180, 75);
            var ctColours = Colours(ct);
            using var mr = SKBitmap.Decode(overlays[2]);
            var mrColours = Colours(mr);
            Assert.Superset(new HashSet<SKColor> { liver, spleen, kidney }, ctColours);
            Assert.DoesNotContain(bladder, ctColours);
            Assert.Superset(new HashSet<SKColor> { liver, kidney, bladder }, mrColours);
            Assert.DoesNotContain(spleen, mrColours);

            // The demo keeps its model and prints the predict command that uses it; that command runs as printed.
            Assert.True(File.Exists(Path.Combine(output, "model.safetensors")) && File.Exists(Path.Combine(output, "model.json")), stdout);
            var command = stdout.Split('\n').Select(l => l.Trim()).Single(l => l.StartsWith("hermes predict --model ", StringComparison.Ordinal));
            var arguments = command.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).ToArray();
            var (predictCode, predictOut, predictError) = HermesProcess.Run(TimeSpan.FromMinutes(2), arguments);
            Assert.True(predictCode == 0, $"{command}\n{predictOut}\n{predictError}");
            var segmented = Path.Combine(output, "segmented");
            var labelMap = Assert.Single(Directory.GetFiles(segmented, "*.nii.gz"));
            using (var map = VolumeIO.Read(labelMap))
            {
                Assert.Equal(phantom.Geometry.Shape, map.Geometry.Shape);
            }
        }
        finally
        {
            Directory.Delete(output, recursive: true);
        }
    }

    private static HashSet<SKColor> Colours(SKBitmap image) => [.. image.Pixels];

    [Fact]
    public void InvalidSettingsAreRejected()
    {
        var (code, _, stderr) = HermesProcess.Run(TimeSpan.FromMinutes(1), "demo", "--patch", "24");
        Assert.Equal(2, code);
        Assert.Contains("--patch 24 is invalid: expected a multiple of 16 in 16–128.", stderr);
        (code, _, stderr) = HermesProcess.Run(TimeSpan.FromMinutes(1), "demo", "--patch", "64", "--size", "48");
        Assert.Equal(2, code);
        Assert.Contains("--patch 64 is invalid: expected at most the phantoms' --size 48.", stderr);
    }
}
