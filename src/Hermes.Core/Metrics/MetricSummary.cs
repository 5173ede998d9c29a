namespace Hermes.Metrics;

/// <summary>
/// Aggregate of one metric of one task over cases. Statistics are over the finite values only; <see cref="NonFinite"/>
/// counts the cases left out (NaN, or +∞ from an empty mask).
/// </summary>
/// <param name="Task">The task name.</param>
/// <param name="Metric">The metric name.</param>
/// <param name="Cases">Number of cases with a value for this task and metric.</param>
/// <param name="NonFinite">Cases whose value is NaN or infinite (not in the statistics).</param>
/// <param name="Mean">Mean of the finite values (NaN when there are none).</param>
/// <param name="StandardDeviation">Sample standard deviation of the finite values (NaN with fewer than two).</param>
/// <param name="Median">Median of the finite values.</param>
/// <param name="Minimum">Smallest finite value.</param>
/// <param name="Maximum">Largest finite value.</param>
public readonly record struct MetricSummary(string Task, string Metric, int Cases, int NonFinite, double Mean, double StandardDeviation, double Median, double Minimum, double Maximum);
