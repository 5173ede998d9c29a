using System.Globalization;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;

namespace Hermes.Benchmarks.Inference;

/// <summary>Throughput column: output voxels (volume voxels × tasks) per second, in millions.</summary>
internal sealed class VoxelThroughputColumn : IColumn
{
    public string Id => nameof(VoxelThroughputColumn);

    public string ColumnName => "Mvox/s";

    public bool AlwaysShow => true;

    public ColumnCategory Category => ColumnCategory.Custom;

    public int PriorityInCategory => 0;

    public bool IsNumeric => true;

    public UnitType UnitType => UnitType.Dimensionless;

    public string Legend => "Stitched output voxels (D·H·W·tasks) per second, in 10⁶";

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase)
    {
        if (summary[benchmarkCase]?.ResultStatistics is not { } stats)
        {
            return "-";
        }

        var tasks = (int)benchmarkCase.Parameters["Tasks"];
        var voxels = Math.Pow(SlidingWindowStitchingBenchmarks.VolumeSize, 3) * tasks;
        return (voxels / (stats.Mean * 1e-9) / 1e6).ToString("F1", CultureInfo.InvariantCulture);
    }

    public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style) => GetValue(summary, benchmarkCase);

    public bool IsAvailable(Summary summary) => true;

    public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
}
