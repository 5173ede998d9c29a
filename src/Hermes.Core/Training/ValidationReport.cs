namespace Hermes.Training;

/// <summary>Result of one validation pass.</summary>
/// <param name="TaskDice">Mean Dice per task index, over the cases whose ground truth contains the task.</param>
/// <param name="CaseCounts">Number of cases that entered each task's mean.</param>
public sealed record ValidationReport(IReadOnlyDictionary<long, double> TaskDice, IReadOnlyDictionary<long, int> CaseCounts)
{
    /// <summary>Mean of the per-task Dice values (NaN when no task had a case); the reference's checkpoint-selection score.</summary>
    public double MeanDice => TaskDice.Count == 0 ? double.NaN : TaskDice.Values.Average();

    /// <summary>Builds a report from per-task (sum, count) accumulators.</summary>
    /// <param name="sums">Per-task sums of Dice and case counts.</param>
    public static ValidationReport FromSums(IReadOnlyDictionary<long, (double Sum, int Count)> sums)
    {
        ArgumentNullException.ThrowIfNull(sums);
        var ordered = sums.Where(kv => kv.Value.Count > 0).OrderBy(kv => kv.Key).ToArray();
        return new ValidationReport(
            ordered.ToDictionary(kv => kv.Key, kv => kv.Value.Sum / kv.Value.Count),
            ordered.ToDictionary(kv => kv.Key, kv => kv.Value.Count));
    }
}
