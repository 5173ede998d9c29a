namespace Hermes.Metrics;

/// <summary>
/// Metric values as rows case × task × metric, with per-task aggregation (<see cref="Summarize"/>). Not thread-safe.
/// </summary>
public sealed class MetricReport
{
    private readonly List<MetricRecord> records = [];

    /// <summary>The rows, in insertion order.</summary>
    public IReadOnlyList<MetricRecord> Records => records;

    /// <summary>Adds a row.</summary>
    /// <param name="caseId">The case identifier.</param>
    /// <param name="task">The task name.</param>
    /// <param name="metric">The metric name.</param>
    /// <param name="value">The value.</param>
    public void Add(string caseId, string task, string metric, double value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(caseId);
        ArgumentException.ThrowIfNullOrWhiteSpace(task);
        ArgumentException.ThrowIfNullOrWhiteSpace(metric);
        records.Add(new MetricRecord(caseId, task, metric, value));
    }

    /// <summary>Adds the rows of another report.</summary>
    /// <param name="other">The report to append.</param>
    public void AddRange(MetricReport other)
    {
        ArgumentNullException.ThrowIfNull(other);
        records.AddRange(other.records);
    }

    /// <summary>
    /// Aggregates per task and metric, in order of first appearance: count, non-finite count and statistics of the finite
    /// values (mean, sample standard deviation, median, minimum, maximum).
    /// </summary>
    /// <returns>One summary per (task, metric).</returns>
    public IReadOnlyList<MetricSummary> Summarize()
    {
        var groups = new Dictionary<(string Task, string Metric), List<double>>();
        var order = new List<(string Task, string Metric)>();
        foreach (var r in records)
        {
            var key = (r.Task, r.Metric);
            if (!groups.TryGetValue(key, out var values))
            {
                groups[key] = values = [];
                order.Add(key);
            }

            values.Add(r.Value);
        }

        var summaries = new List<MetricSummary>(order.Count);
        foreach (var key in order)
        {
            var all = groups[key];
            var finite = all.Where(double.IsFinite).ToArray();
            Array.Sort(finite);
            var n = finite.Length;
            var mean = n == 0 ? double.NaN : finite.Average();
            var std = n < 2 ? double.NaN : Math.Sqrt(finite.Sum(v => (v - mean) * (v - mean)) / (n - 1));
            var median = n == 0 ? double.NaN : n % 2 == 1 ? finite[n / 2] : 0.5 * (finite[(n / 2) - 1] + finite[n / 2]);
            summaries.Add(new MetricSummary(
                key.Task,
                key.Metric,
                all.Count,
                all.Count - n,
                mean,
                std,
                median,
                n == 0 ? double.NaN : finite[0],
                n == 0 ? double.NaN : finite[^1]));
        }

        return summaries;
    }
}
