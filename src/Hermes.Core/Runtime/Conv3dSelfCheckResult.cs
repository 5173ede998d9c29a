namespace Hermes.Runtime;

/// <summary>The outcome of <see cref="Conv3dSelfCheck.Run"/>.</summary>
/// <param name="Passed">Whether every check was within <see cref="Conv3dSelfCheck.Tolerance"/>.</param>
/// <param name="RelativeErrors">Each check's name and its max |f32 − f64| / max |f64| (infinity for NaN).</param>
public sealed record Conv3dSelfCheckResult(bool Passed, IReadOnlyList<(string Check, double RelativeError)> RelativeErrors);
