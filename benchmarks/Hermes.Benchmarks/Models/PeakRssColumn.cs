using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Hermes.Benchmarks.Models;

/// <summary>
/// Peak resident memory (Linux VmHWM) of a benchmark case's own process. BenchmarkDotNet runs each case in a fresh
/// process; its GlobalCleanup records VmHWM in a small file that this column reads back in the host process.
/// </summary>
internal sealed class PeakRssColumn : IColumn
{
    private static readonly string Folder = Path.Combine(Path.GetTempPath(), "hermes-bench-peak-rss");

    /// <summary>The environment variable that gives a benchmark process its job's id, which keys the recorded peak.</summary>
    public const string JobVariable = "HERMES_BENCH_JOB";

    public string Id => nameof(PeakRssColumn);

    public string ColumnName => "Peak RSS";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 1;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Peak resident set size (VmHWM) of the case's process, GB";

    /// <summary>Reads VmHWM of this process in bytes (0 off Linux).</summary>
    public static long ReadPeakRssBytes()
    {
        if (!OperatingSystem.IsLinux())
        {
            return 0;
        }

        var line = File.ReadLines("/proc/self/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
        return line is null ? 0 : long.Parse(line.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], System.Globalization.CultureInfo.InvariantCulture) * 1024;
    }

    /// <summary>Records a case's peak (called in the case's process).</summary>
    public static void Record(string method, string model, string input, long bytes)
    {
        Directory.CreateDirectory(Folder);
        var job = Environment.GetEnvironmentVariable(JobVariable) ?? "default";
        File.WriteAllText(Path.Combine(Folder, $"{method}-{model}-{input}-{job}.txt"), bytes.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        var model = (string)benchmarkCase.Parameters["Model"];
        var input = (string)benchmarkCase.Parameters["Input"];
        var job = benchmarkCase.Job.Id;
        if (!Directory.Exists(Folder))
        {
            return "-";
        }

        var file = Path.Combine(Folder, $"{benchmarkCase.Descriptor.WorkloadMethod.Name}-{model}-{input}-{job}.txt");
        return !File.Exists(file) ? "-" : (long.Parse(File.ReadAllText(file), System.Globalization.CultureInfo.InvariantCulture) / 1e9).ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
    }

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
