namespace Hermes.Inference;

/// <summary>Progress of one prediction.</summary>
/// <param name="Stage">The stage: <c>preprocess</c>, <c>windows</c> or <c>tasks</c> (resampling back and deciding, one task at a time).</param>
/// <param name="Done">Units finished in this stage.</param>
/// <param name="Total">Units in this stage.</param>
public readonly record struct PredictionProgress(string Stage, int Done, int Total);
