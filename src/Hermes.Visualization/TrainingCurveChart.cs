using Hermes.Runtime;
using ScottPlot;
using SkiaSharp;

namespace Hermes.Visualization;

/// <summary>
/// Draws a training run as a PNG chart (ScottPlot): the training loss against the step (raw in light blue, a moving
/// average in blue, left axis) and the validation mean Dice (orange markers and line, right axis, 0–1).
/// </summary>
public static class TrainingCurveChart
{
    /// <summary>Width of the picture in pixels.</summary>
    public const int Width = 960;

    /// <summary>Height of the picture in pixels.</summary>
    public const int Height = 540;

    /// <summary>Colour of the raw loss.</summary>
    public static SKColor RawLossColour { get; } = new(180, 200, 235);

    /// <summary>Colour of the smoothed loss.</summary>
    public static SKColor LossColour { get; } = new(31, 90, 180);

    /// <summary>Colour of the validation Dice.</summary>
    public static SKColor DiceColour { get; } = new(230, 120, 20);

    /// <summary>Writes the chart.</summary>
    /// <param name="losses">The loss of every step (non-finite losses are left out).</param>
    /// <param name="validations">The mean Dice of every validation (non-finite values are left out); may be empty.</param>
    /// <param name="title">The title.</param>
    /// <param name="path">The PNG file (written atomically).</param>
    public static void Write(IReadOnlyList<(long Step, double Loss)> losses, IReadOnlyList<(long Step, double MeanDice)> validations, string title, string path)
    {
        ArgumentNullException.ThrowIfNull(losses);
        ArgumentNullException.ThrowIfNull(validations);
        ArgumentNullException.ThrowIfNull(title);
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var finite = losses.Where(p => double.IsFinite(p.Loss)).ToArray();
        using var plot = new Plot();
        plot.Title(title);
        plot.XLabel("step");
        plot.Axes.Left.Label.Text = "training loss";
        plot.Axes.Left.Label.ForeColor = Plotted(LossColour);
        if (finite.Length > 0)
        {
            var steps = finite.Select(p => (double)p.Step).ToArray();
            var raw = plot.Add.ScatterLine(steps, finite.Select(p => p.Loss).ToArray(), Plotted(RawLossColour));
            raw.LineWidth = 1;
            var smooth = plot.Add.ScatterLine(steps, MovingAverage(finite.Select(p => p.Loss).ToArray(), Math.Max(1, finite.Length / 50)), Plotted(LossColour));
            smooth.LineWidth = 2;
            smooth.LegendText = "training loss (moving average)";
        }

        var dice = validations.Where(v => double.IsFinite(v.MeanDice)).ToArray();
        var right = plot.Axes.Right;
        if (dice.Length > 0)
        {
            right.Label.Text = "validation mean Dice";
            right.Label.ForeColor = Plotted(DiceColour);
            var line = plot.Add.Scatter(dice.Select(v => (double)v.Step).ToArray(), dice.Select(v => v.MeanDice).ToArray(), Plotted(DiceColour));
            line.LineWidth = 2;
            line.MarkerSize = 8;
            line.MarkerShape = MarkerShape.Eks;
            line.Axes.YAxis = right;
            line.LegendText = "validation mean Dice";
        }

        plot.Legend.Alignment = Alignment.UpperCenter; // loss falls from the upper left, Dice rises to the upper right
        plot.Axes.AutoScale();
        plot.Axes.SetLimitsY(0, 1, right);
        plot.Axes.SetLimitsX(0, Math.Max(1, finite.Select(p => p.Step).Concat(dice.Select(v => v.Step)).DefaultIfEmpty(1).Max()));
        var lossTop = finite.Length == 0 ? 1 : finite.Max(p => p.Loss);
        plot.Axes.SetLimitsY(0, lossTop > 0 ? lossTop * 1.05 : 1, plot.Axes.Left);
        var png = plot.GetImageBytes(Width, Height, ImageFormat.Png);
        AtomicFile.WriteAllBytes(path, png);
    }

    private static Color Plotted(SKColor colour) => new(colour.Red, colour.Green, colour.Blue);

    /// <summary>The mean of each value and the <paramref name="window"/> − 1 before it (fewer at the start).</summary>
    private static double[] MovingAverage(double[] values, int window)
    {
        var result = new double[values.Length];
        double sum = 0;
        for (var i = 0; i < values.Length; i++)
        {
            sum += values[i];
            if (i >= window)
            {
                sum -= values[i - window];
            }

            result[i] = sum / Math.Min(window, i + 1);
        }

        return result;
    }
}
