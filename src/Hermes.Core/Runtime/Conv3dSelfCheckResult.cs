namespace Hermes.Runtime;

/// <summary>The outcome of <see cref="Conv3dSelfCheck.Run"/>.</summary>
/// <param name="Passed">Whether every guarded check was within <see cref="Conv3dSelfCheck.Tolerance"/>.</param>
/// <param name="RelativeErrors">Each guarded check's name and its max |f32 − f64| / max |f64| (infinity for NaN).</param>
/// <param name="Informational">
/// Checks of defects the oneDNN guard cannot fix and Hermes' own modules avoid by construction (e.g. depthwise conv3d
/// backward on channels-last inputs); reported, not counted in <paramref name="Passed"/>.
/// </param>
public sealed record Conv3dSelfCheckResult(
    bool Passed,
    IReadOnlyList<(string Check, double RelativeError)> RelativeErrors,
    IReadOnlyList<(string Check, double RelativeError)>? Informational = null);
