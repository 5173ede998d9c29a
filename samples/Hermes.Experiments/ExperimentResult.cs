namespace Hermes.Experiments;

/// <summary>What an experiment run produced.</summary>
/// <param name="Settings">The settings it ran with.</param>
/// <param name="Metrics">Every scored case, task and metric.</param>
/// <param name="Curve">The training curve.</param>
/// <param name="ModelPath">The saved weights (sidecar beside them).</param>
/// <param name="Timings">Wall times in seconds: preprocessing, training, evaluation, total.</param>
/// <param name="SummaryPath">The summary JSON.</param>
public sealed record ExperimentResult(
    ExperimentSettings Settings,
    IReadOnlyList<CaseMetric> Metrics,
    TrainingCurve Curve,
    string ModelPath,
    IReadOnlyDictionary<string, double> Timings,
    string SummaryPath)
{
    /// <summary>Mean over the dataset's tasks of the mean Dice over its held-out (or scored) cases.</summary>
    /// <param name="dataset">The dataset.</param>
    /// <returns>The mean Dice (NaN when nothing was scored).</returns>
    public double MeanDice(string dataset)
    {
        var perTask = Metrics.Where(m => m.Dataset == dataset && m.Metric == "dice" && double.IsFinite(m.Value))
            .GroupBy(m => m.Task).Select(g => g.Average(m => m.Value)).ToList();
        return perTask.Count == 0 ? double.NaN : perTask.Average();
    }

    /// <summary>The Dice of one task of one case.</summary>
    /// <param name="dataset">The dataset.</param>
    /// <param name="caseId">The case.</param>
    /// <param name="task">The task.</param>
    /// <returns>The Dice.</returns>
    public double Dice(string dataset, string caseId, string task) =>
        Metrics.Single(m => m.Dataset == dataset && m.Case == caseId && m.Task == task && m.Metric == "dice").Value;
}
