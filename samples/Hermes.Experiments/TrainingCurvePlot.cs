using System.Globalization;
using SixLabors.ImageSharp;
using SixLabors.ImageSharp.PixelFormats;

namespace Hermes.Experiments;

/// <summary>
/// Draws a <see cref="TrainingCurve"/> as a PNG: the training loss (raw in light blue, moving average in blue, left axis)
/// and the validation mean Dice (orange, right axis, 0–1) against the step.
/// </summary>
public static class TrainingCurvePlot
{
    private const int Width = 960;
    private const int Height = 540;
    private const int Left = 80;
    private const int Right = 80;
    private const int Top = 50;
    private const int Bottom = 60;
    private static readonly Rgb24 Background = new(255, 255, 255);
    private static readonly Rgb24 Axis = new(40, 40, 40);
    private static readonly Rgb24 Grid = new(225, 225, 225);
    private static readonly Rgb24 RawLoss = new(180, 200, 235);
    private static readonly Rgb24 Loss = new(31, 90, 180);
    private static readonly Rgb24 Dice = new(230, 120, 20);

    /// <summary>Writes the plot.</summary>
    /// <param name="curve">The recorded run.</param>
    /// <param name="title">Title line (upper-cased).</param>
    /// <param name="path">The PNG file.</param>
    public static void Write(TrainingCurve curve, string title, string path)
    {
        ArgumentNullException.ThrowIfNull(curve);
        var ic = CultureInfo.InvariantCulture;
        using var image = new Image<Rgb24>(Width, Height, Background);
        var steps = curve.Steps;
        var maxStep = Math.Max(1, steps.Count == 0 ? 1 : steps.Max(s => s.Step));
        var maxLoss = steps.Count == 0 ? 1 : NiceCeiling(steps.Where(s => double.IsFinite(s.Loss)).Select(s => s.Loss).DefaultIfEmpty(1).Max());
        int plotW = Width - Left - Right, plotH = Height - Top - Bottom;
        int X(double step) => Left + (int)Math.Round(step / maxStep * plotW);
        int YLoss(double loss) => Top + plotH - (int)Math.Round(Math.Clamp(loss / maxLoss, 0, 1) * plotH);
        int YDice(double dice) => Top + plotH - (int)Math.Round(Math.Clamp(dice, 0, 1) * plotH);

        for (var i = 0; i <= 5; i++)
        {
            var y = Top + (plotH * i / 5);
            Line(image, Left, y, Left + plotW, y, Grid, 1);
            var lossLabel = (maxLoss * (5 - i) / 5).ToString("0.##", ic);
            PixelFont.Draw(image, lossLabel, Left - 8 - PixelFont.Width(lossLabel, 2), y - 7, Loss, 2);
            PixelFont.Draw(image, ((5 - i) / 5.0).ToString("0.0", ic), Left + plotW + 8, y - 7, Dice, 2);
            var x = Left + (plotW * i / 5);
            Line(image, x, Top, x, Top + plotH, Grid, 1);
            var stepLabel = (maxStep * i / 5).ToString(ic);
            PixelFont.Draw(image, stepLabel, x - (PixelFont.Width(stepLabel, 2) / 2), Top + plotH + 10, Axis, 2);
        }

        Line(image, Left, Top, Left, Top + plotH, Axis, 2);
        Line(image, Left, Top + plotH, Left + plotW, Top + plotH, Axis, 2);
        Line(image, Left + plotW, Top, Left + plotW, Top + plotH, Axis, 2);

        for (var i = 1; i < steps.Count; i++)
        {
            Line(image, X(steps[i - 1].Step), YLoss(steps[i - 1].Loss), X(steps[i].Step), YLoss(steps[i].Loss), RawLoss, 1);
        }

        var window = Math.Max(1, steps.Count / 50);
        var smooth = steps.Select((s, i) => (s.Step, Loss: steps.Skip(Math.Max(0, i - window + 1)).Take(Math.Min(window, i + 1)).Average(p => p.Loss))).ToList();
        for (var i = 1; i < smooth.Count; i++)
        {
            Line(image, X(smooth[i - 1].Step), YLoss(smooth[i - 1].Loss), X(smooth[i].Step), YLoss(smooth[i].Loss), Loss, 2);
        }

        var validations = curve.Validations.Where(v => double.IsFinite(v.MeanDice)).ToList();
        for (var i = 0; i < validations.Count; i++)
        {
            int x = X(validations[i].Step), y = YDice(validations[i].MeanDice);
            if (i > 0)
            {
                Line(image, X(validations[i - 1].Step), YDice(validations[i - 1].MeanDice), x, y, Dice, 2);
            }

            Line(image, x - 4, y - 4, x + 4, y + 4, Dice, 2);
            Line(image, x - 4, y + 4, x + 4, y - 4, Dice, 2);
        }

        PixelFont.Draw(image, title, Left, 12, Axis, 3);
        PixelFont.Draw(image, "STEP", Left + (plotW / 2) - PixelFont.Width("STEP", 2), Height - 24, Axis, 2);
        PixelFont.Draw(image, "TRAINING LOSS", Left + 10, Top + 8, Loss, 2);
        var diceLabel = "VALIDATION MEAN DICE";
        PixelFont.Draw(image, diceLabel, Left + plotW - 10 - PixelFont.Width(diceLabel, 2), Top + 8, Dice, 2);
        Hermes.Runtime.AtomicFile.Write(path, image.SaveAsPng);
    }

    private static double NiceCeiling(double value)
    {
        if (!(value > 0))
        {
            return 1;
        }

        var magnitude = Math.Pow(10, Math.Floor(Math.Log10(value)));
        foreach (var step in new[] { 1, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10 })
        {
            if (step * magnitude >= value)
            {
                return step * magnitude;
            }
        }

        return 10 * magnitude;
    }

    private static void Line(Image<Rgb24> image, int x0, int y0, int x1, int y1, Rgb24 color, int thickness)
    {
        int dx = Math.Abs(x1 - x0), dy = -Math.Abs(y1 - y0), sx = x0 < x1 ? 1 : -1, sy = y0 < y1 ? 1 : -1, err = dx + dy;
        while (true)
        {
            for (var ty = 0; ty < thickness; ty++)
            {
                for (var tx = 0; tx < thickness; tx++)
                {
                    int px = x0 + tx - (thickness / 2), py = y0 + ty - (thickness / 2);
                    if (px >= 0 && px < image.Width && py >= 0 && py < image.Height)
                    {
                        image[px, py] = color;
                    }
                }
            }

            if (x0 == x1 && y0 == y1)
            {
                return;
            }

            var e2 = 2 * err;
            if (e2 >= dy)
            {
                err += dy;
                x0 += sx;
            }

            if (e2 <= dx)
            {
                err += dx;
                y0 += sy;
            }
        }
    }
}
