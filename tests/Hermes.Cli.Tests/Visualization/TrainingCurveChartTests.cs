using Hermes.Visualization;
using SkiaSharp;

namespace Hermes.Cli.Tests.Visualization;

/// <summary>
/// <see cref="TrainingCurveChart"/> (ScottPlot): a 960 × 540 PNG with the smoothed loss in blue and the validation Dice in
/// orange; a run without validations or with non-finite losses still draws; the file appears whole or not at all.
/// </summary>
public sealed class TrainingCurveChartTests
{
    [Fact]
    public void LossAndDiceAreDrawnInTheirColours()
    {
        var losses = Enumerable.Range(1, 400).Select(s => ((long)s, 1.2 * Math.Exp(-s / 120.0) + (0.05 * Math.Sin(s)))).ToArray();
        var dice = new[] { (80L, 0.31), (160L, 0.55), (240L, 0.71), (320L, 0.78), (400L, 0.81) };
        var folder = Directory.CreateTempSubdirectory("hermes-curve").FullName;
        try
        {
            var path = Path.Combine(folder, "training-curve.png");
            TrainingCurveChart.Write(losses, dice, "hippocampus", path);
            using var png = SKBitmap.Decode(path);
            Assert.Equal((TrainingCurveChart.Width, TrainingCurveChart.Height), (png.Width, png.Height));
            var pixels = png.Pixels;
            Assert.True(pixels.Count(p => Near(p, TrainingCurveChart.LossColour)) > 300, "the smoothed loss line");
            Assert.True(pixels.Count(p => Near(p, TrainingCurveChart.DiceColour)) > 100, "the Dice line and markers");
            Assert.True(pixels.Count(p => Near(p, TrainingCurveChart.RawLossColour)) > 100, "the raw loss");
            Assert.Single(Directory.GetFiles(folder));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    [Fact]
    public void ARunWithoutValidationsOrWithNonFiniteLossesStillDraws()
    {
        var folder = Directory.CreateTempSubdirectory("hermes-curve").FullName;
        try
        {
            var path = Path.Combine(folder, "curve.png");
            TrainingCurveChart.Write([(1, double.NaN), (2, 0.9), (3, double.PositiveInfinity), (4, 0.7)], [], "short", path);
            using var png = SKBitmap.Decode(path);
            Assert.Contains(png.Pixels, p => Near(p, TrainingCurveChart.LossColour));
            Assert.DoesNotContain(png.Pixels, p => Near(p, TrainingCurveChart.DiceColour));
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }

    private static bool Near(SKColor a, SKColor b) =>
        Math.Abs(a.Red - b.Red) <= 8 && Math.Abs(a.Green - b.Green) <= 8 && Math.Abs(a.Blue - b.Blue) <= 8;
}
