using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Hermes.Benchmarks.Runtime;

/// <summary>Throughput column: forward FLOPs (×3 for forward+backward) divided by the mean time.</summary>
internal sealed class GflopsColumn : IColumn
{
    public string Id => nameof(GflopsColumn);

    public string ColumnName => "GFLOP/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Forward FLOPs (2·Cin·Cout·27·N; ×3 with backward) per second, in 10⁹";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        var report = summary[benchmarkCase];
        if (report?.ResultStatistics is not { } stats)
        {
            return "-";
        }

        var c = (string)benchmarkCase.Parameters["Case"];
        var flops = Conv3dThroughputBenchmarks.ForwardFlops(c) * (benchmarkCase.Descriptor.WorkloadMethodDisplayInfo.Contains("backward", StringComparison.Ordinal) ? 3 : 1);
        return (flops / (stats.Mean * 1e-9) / 1e9).ToString("F1", System.Globalization.CultureInfo.InvariantCulture);
    }

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
