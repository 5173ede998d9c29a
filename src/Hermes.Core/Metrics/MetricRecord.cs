namespace Hermes.Metrics;

/// <summary>One metric value of one task in one case: a row of a <see cref="MetricReport"/>.</summary>
/// <param name="Case">The case identifier (e.g. the file name without extension).</param>
/// <param name="Task">The task (structure) name.</param>
/// <param name="Metric">The metric name, e.g. <c>dice</c>, <c>iou</c>, <c>hd95</c>, <c>assd</c>, <c>nsd@2mm</c>.</param>
/// <param name="Value">The value; may be NaN or ±∞ as documented per metric.</param>
public readonly record struct MetricRecord(string Case, string Task, string Metric, double Value);
