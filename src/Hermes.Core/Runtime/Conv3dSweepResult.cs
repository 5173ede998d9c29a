namespace Hermes.Runtime;

/// <summary>The outcome of <see cref="Conv3dSelfCheck.Sweep"/>.</summary>
/// <param name="Passed">Whether every float32 result agreed with float64 within <see cref="Conv3dSelfCheck.Tolerance"/>.</param>
/// <param name="Comparisons">How many float32 results were compared (shapes × passes × thread counts).</param>
/// <param name="WorstRelativeError">The largest max |f32 − f64| / max |f64| seen (∞ for a NaN).</param>
/// <param name="ThreadCounts">The LibTorch intra-op thread counts the sweep ran at.</param>
/// <param name="Failures">One line per result outside the tolerance, e.g. <c>forward 24→8 @32³, 2 threads: 0.13</c>.</param>
/// <param name="IsaCap">The <c>ONEDNN_MAX_CPU_ISA</c> in force while the sweep ran, or <see langword="null"/> for none.</param>
public sealed record Conv3dSweepResult(
    bool Passed,
    int Comparisons,
    double WorstRelativeError,
    IReadOnlyList<int> ThreadCounts,
    IReadOnlyList<string> Failures,
    string? IsaCap);
