using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Hermes.Metrics;

/// <summary>
/// Writes a <see cref="MetricReport"/> as CSV (one row per case × task × metric) or JSON (rows and per-task summaries).
/// Files are written atomically: to a temporary file in the same folder, then moved over the target.
/// </summary>
/// <remarks>
/// Numbers use the invariant culture with round-trip precision; non-finite values are written as <c>NaN</c>,
/// <c>Infinity</c>, <c>-Infinity</c> in CSV and as JSON strings of the same spelling in JSON (JSON has no such numbers).
/// </remarks>
public static class MetricReportWriter
{
    /// <summary>Writes the rows as CSV with the header <c>case,task,metric,value</c>.</summary>
    /// <param name="report">The report.</param>
    /// <param name="path">The target file.</param>
    public static void WriteCsv(MetricReport report, string path)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = new StringBuilder("case,task,metric,value\n");
        foreach (var r in report.Records)
        {
            text.Append(Csv(r.Case)).Append(',').Append(Csv(r.Task)).Append(',').Append(Csv(r.Metric)).Append(',')
                .Append(r.Value.ToString("R", CultureInfo.InvariantCulture)).Append('\n');
        }

        Runtime.AtomicFile.WriteAllBytes(path, Encoding.UTF8.GetBytes(text.ToString()));
    }

    /// <summary>Writes the per-task summaries as CSV with the header <c>task,metric,cases,non_finite,mean,std,median,min,max</c>.</summary>
    /// <param name="report">The report.</param>
    /// <param name="path">The target file.</param>
    public static void WriteSummaryCsv(MetricReport report, string path)
    {
        ArgumentNullException.ThrowIfNull(report);
        var text = new StringBuilder("task,metric,cases,non_finite,mean,std,median,min,max\n");
        foreach (var s in report.Summarize())
        {
            text.Append(Csv(s.Task)).Append(',').Append(Csv(s.Metric)).Append(',')
                .Append(s.Cases.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(s.NonFinite.ToString(CultureInfo.InvariantCulture));
            foreach (var v in new[] { s.Mean, s.StandardDeviation, s.Median, s.Minimum, s.Maximum })
            {
                text.Append(',').Append(v.ToString("R", CultureInfo.InvariantCulture));
            }

            text.Append('\n');
        }

        Runtime.AtomicFile.WriteAllBytes(path, Encoding.UTF8.GetBytes(text.ToString()));
    }

    /// <summary>Writes <c>{"records": [...], "summary": [...]}</c> as indented JSON.</summary>
    /// <param name="report">The report.</param>
    /// <param name="path">The target file.</param>
    public static void WriteJson(MetricReport report, string path)
    {
        ArgumentNullException.ThrowIfNull(report);
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer, new JsonWriterOptions { Indented = true }))
        {
            json.WriteStartObject();
            json.WriteStartArray("records");
            foreach (var r in report.Records)
            {
                json.WriteStartObject();
                json.WriteString("case", r.Case);
                json.WriteString("task", r.Task);
                json.WriteString("metric", r.Metric);
                WriteNumber(json, "value", r.Value);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteStartArray("summary");
            foreach (var s in report.Summarize())
            {
                json.WriteStartObject();
                json.WriteString("task", s.Task);
                json.WriteString("metric", s.Metric);
                json.WriteNumber("cases", s.Cases);
                json.WriteNumber("non_finite", s.NonFinite);
                WriteNumber(json, "mean", s.Mean);
                WriteNumber(json, "std", s.StandardDeviation);
                WriteNumber(json, "median", s.Median);
                WriteNumber(json, "min", s.Minimum);
                WriteNumber(json, "max", s.Maximum);
                json.WriteEndObject();
            }

            json.WriteEndArray();
            json.WriteEndObject();
        }

        Runtime.AtomicFile.WriteAllBytes(path, buffer.ToArray());
    }

    private static void WriteNumber(Utf8JsonWriter json, string name, double value)
    {
        if (double.IsFinite(value))
        {
            json.WriteNumber(name, value);
        }
        else
        {
            json.WriteString(name, value.ToString(CultureInfo.InvariantCulture));
        }
    }

    private static string Csv(string field) =>
        field.AsSpan().IndexOfAny(",\"\n\r") >= 0 ? "\"" + field.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"" : field;
}
