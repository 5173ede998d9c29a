namespace Hermes.Inference;

/// <summary>Progress of a sliding-window inference, reported after each batch of windows.</summary>
/// <param name="WindowsDone">Windows predicted and stitched so far (each counts once, whatever the number of mirrors).</param>
/// <param name="WindowsTotal">Windows in the whole run.</param>
public readonly record struct SlidingWindowProgress(int WindowsDone, int WindowsTotal)
{
    /// <summary>Fraction done in [0, 1].</summary>
    public double Fraction => WindowsTotal == 0 ? 1 : (double)WindowsDone / WindowsTotal;
}
