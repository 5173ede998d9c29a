using SixLabors.ImageSharp.PixelFormats;

namespace Hermes.Cli.Demo;

/// <summary>
/// The overlay colour of each task: colour <c>k mod 8</c> of <see cref="Colours"/> for task index <c>k</c> of the task
/// vocabulary, so a task has the same colour in every dataset and modality. For the demo's phantoms (vocabulary order
/// liver, spleen, kidney, bladder): liver red, spleen blue, kidney yellow, bladder green.
/// </summary>
internal static class OverlayPalette
{
    /// <summary>The colours, in task-index order (the first eight of Sasha Trubetskoy's "20 distinct colours").</summary>
    public static readonly IReadOnlyList<(string Name, Rgb24 Colour)> Colours =
    [
        ("red", new Rgb24(230, 25, 75)),
        ("blue", new Rgb24(0, 130, 200)),
        ("yellow", new Rgb24(255, 225, 25)),
        ("green", new Rgb24(60, 180, 75)),
        ("orange", new Rgb24(245, 130, 48)),
        ("purple", new Rgb24(145, 30, 180)),
        ("cyan", new Rgb24(70, 240, 240)),
        ("magenta", new Rgb24(240, 50, 230)),
    ];

    /// <summary>The colour of task index <paramref name="task"/> (≥ 0).</summary>
    /// <param name="task">Index in the task vocabulary.</param>
    public static (string Name, Rgb24 Colour) ForTask(long task)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(task);
        return Colours[(int)(task % Colours.Count)];
    }

    /// <summary>Spectre.Console markup of a colour swatch and its name, for legends.</summary>
    /// <param name="task">Index in the task vocabulary.</param>
    public static string Swatch(long task)
    {
        var (name, c) = ForTask(task);
        return $"[rgb({c.R},{c.G},{c.B})]■■[/] {name}";
    }
}
