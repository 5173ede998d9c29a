using SkiaSharp;

namespace Hermes.Visualization;

/// <summary>
/// The overlay colour of each task: colour <c>k mod 8</c> of <see cref="Colours"/> for task index <c>k</c> of the task
/// vocabulary, so a task has the same colour in every dataset, modality and picture. For labels without a task (a
/// dataset's own label values), <see cref="ForLabel"/> gives label <c>n</c> (1-based) colour <c>n − 1</c>.
/// </summary>
public static class OverlayPalette
{
    /// <summary>The colours, in order (the first eight of Sasha Trubetskoy's "20 distinct colours").</summary>
    public static IReadOnlyList<(string Name, SKColor Colour)> Colours { get; } =
    [
        ("red", new SKColor(230, 25, 75)),
        ("blue", new SKColor(0, 130, 200)),
        ("yellow", new SKColor(255, 225, 25)),
        ("green", new SKColor(60, 180, 75)),
        ("orange", new SKColor(245, 130, 48)),
        ("purple", new SKColor(145, 30, 180)),
        ("cyan", new SKColor(70, 240, 240)),
        ("magenta", new SKColor(240, 50, 230)),
    ];

    /// <summary>The colour of task index <paramref name="task"/>.</summary>
    /// <param name="task">Index in the task vocabulary (≥ 0).</param>
    /// <returns>The colour's name and value.</returns>
    public static (string Name, SKColor Colour) ForTask(long task)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(task);
        return Colours[(int)(task % Colours.Count)];
    }

    /// <summary>The colour of label <paramref name="label"/> of a label map whose labels are numbered 1, 2, … (0 = background).</summary>
    /// <param name="label">The label (≥ 1).</param>
    /// <returns>The colour.</returns>
    public static SKColor ForLabel(int label)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(label, 1);
        return Colours[(label - 1) % Colours.Count].Colour;
    }
}
