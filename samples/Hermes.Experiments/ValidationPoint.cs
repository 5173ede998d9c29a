namespace Hermes.Experiments;

/// <summary>One validation of a <see cref="TrainingCurve"/>.</summary>
/// <param name="Step">Steps completed when it ran.</param>
/// <param name="MeanDice">Mean over tasks of the per-task mean Dice.</param>
/// <param name="TaskDice">Mean Dice per task name.</param>
public sealed record ValidationPoint(long Step, double MeanDice, IReadOnlyDictionary<string, double> TaskDice);
