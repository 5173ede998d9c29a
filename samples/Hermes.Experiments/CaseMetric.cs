namespace Hermes.Experiments;

/// <summary>One metric of one task of one scored case.</summary>
/// <param name="Dataset">The dataset.</param>
/// <param name="Case">The case id.</param>
/// <param name="Role">Held out, or scored on its own training case.</param>
/// <param name="Task">The task name.</param>
/// <param name="Metric">dice, hd95 or nsd@Tmm (<c>hermes evaluate</c>'s names).</param>
/// <param name="Value">The value (NaN or ∞ where the metric is undefined for empty masks, as <c>hermes evaluate</c> reports it).</param>
public sealed record CaseMetric(string Dataset, string Case, CaseRole Role, string Task, string Metric, double Value);
