using System.Globalization;
using System.Text.Json;
using Hermes.Metrics;
using Hermes.Volumes;
using TorchSharp;

namespace Hermes.Core.Tests.Metrics;

public class SegmentationMetricTests
{
    private static readonly MaskShape Shape = new(24, 40, 36);

    [Theory]
    [InlineData(0, 0, 0)]
    [InlineData(3, 0, 0)]
    [InlineData(2, 5, 1)]
    [InlineData(7, 11, 13)]
    public void DiceAndIoUOfOffsetCubesEqualTheAnalyticOverlap(int dz, int dy, int dx)
    {
        var size = (Z: 15, Y: 20, X: 18);
        var reference = SyntheticMasks.Box(Shape, (2, 3, 4), size);
        var prediction = SyntheticMasks.Box(Shape, (2 + dz, 3 + dy, 4 + dx), size);

        var counts = SegmentationOverlap.Count(prediction, reference);

        long volume = size.Z * size.Y * size.X;
        long overlap = (long)(size.Z - dz) * (size.Y - dy) * (size.X - dx);
        Assert.Equal(overlap, counts.TruePositives);
        Assert.Equal(volume - overlap, counts.FalsePositives);
        Assert.Equal(volume - overlap, counts.FalseNegatives);
        Assert.Equal(2.0 * overlap / (2.0 * volume), counts.Dice, 12);
        Assert.Equal(overlap / (double)((2 * volume) - overlap), counts.IoU, 12);
    }

    [Theory]
    [InlineData(0.0)]
    [InlineData(5.0)]
    [InlineData(12.5)]
    public void DiceOfOffsetSpheresInAnisotropicSpacingMatchesTheLensVolumeWithinOnePercent(double shiftMm)
    {
        // Two balls of radius R whose centres are δ apart intersect in a lens of volume π(4R + δ)(2R − δ)² / 12.
        var spacing = new VoxelSpacing(1.4, 0.7, 0.9);
        var shape = new MaskShape(45, 100, 80);
        const double radius = 22.0;
        var reference = SyntheticMasks.Ball(shape, spacing, (30.0, 33.0, 34.0), radius);
        var prediction = SyntheticMasks.Ball(shape, spacing, (30.0 + (shiftMm * 0.6), 33.0 + (shiftMm * 0.8), 34.0), radius);

        var dice = SegmentationOverlap.Dice(prediction, reference);

        var lens = Math.PI * ((4 * radius) + shiftMm) * Math.Pow((2 * radius) - shiftMm, 2) / 12;
        var analytic = lens / (4.0 / 3.0 * Math.PI * Math.Pow(radius, 3));
        Assert.InRange(dice / analytic, 0.99, 1.01);
    }

    [Fact]
    public void CountsOnTensorsEqualCountsOnSpans()
    {
        var random = new Random(7);
        var p = new byte[Shape.VoxelCount];
        var r = new byte[Shape.VoxelCount];
        for (var i = 0; i < p.Length; i++)
        {
            p[i] = (byte)(random.NextDouble() < 0.3 ? random.Next(1, 256) : 0);
            r[i] = (byte)(random.NextDouble() < 0.4 ? 1 : 0);
        }

        using var pt = torch.tensor(p, [Shape.Depth, Shape.Height, Shape.Width]);
        using var rt = torch.tensor(r, [Shape.Depth, Shape.Height, Shape.Width]).to(torch.float32);

        var spans = SegmentationOverlap.Count(p, r);
        var tensors = SegmentationOverlap.Count(pt, rt);

        Assert.Equal(spans, tensors);
        var expectedBoth = p.Zip(r).Count(t => t.First != 0 && t.Second != 0);
        Assert.Equal(expectedBoth, spans.TruePositives);
        Assert.Equal(p.Count(v => v != 0), spans.PredictionVoxels);

        // Lengths that are not a multiple of the vector width exercise the scalar tail.
        foreach (var length in new[] { 1, 31, 8191, p.Length - 5 })
        {
            var part = SegmentationOverlap.Count(p.AsSpan(0, length), r.AsSpan(0, length));
            Assert.Equal(p.Take(length).Zip(r).Count(t => t.First != 0 && t.Second != 0), part.TruePositives);
            Assert.Equal(p.Take(length).Count(v => v != 0), part.PredictionVoxels);
            Assert.Equal(r.Take(length).Count(v => v != 0), part.ReferenceVoxels);
        }
    }

    [Fact]
    public void EmptyMasksFollowTheDocumentedConvention()
    {
        var empty = new byte[Shape.VoxelCount];
        var cube = SyntheticMasks.Box(Shape, (1, 1, 1), (4, 4, 4));

        Assert.Equal(1.0, SegmentationOverlap.Dice(empty, empty));
        Assert.Equal(1.0, SegmentationOverlap.IoU(empty, empty));
        Assert.Equal(0.0, SegmentationOverlap.Dice(cube, empty));
        Assert.Equal(0.0, SegmentationOverlap.Dice(empty, cube));
        Assert.Equal(0.0, SegmentationOverlap.IoU(empty, cube));
    }

    [Fact]
    public void MismatchedLengthsAreRejected()
    {
        var e = Assert.Throws<ArgumentException>(() => SegmentationOverlap.Count(new byte[10], new byte[11]));
        Assert.Contains("10", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void EvaluatorWritesOneRowPerMetricAndTheReportAggregatesFiniteValues()
    {
        var spacing = new VoxelSpacing(2.0, 0.8, 1.1);
        var evaluator = new SegmentationEvaluator(new EvaluationOptions { Metrics = SegmentationMetrics.All, ToleranceMm = 1.5 });
        var report = new MetricReport();
        var reference = SyntheticMasks.Box(Shape, (2, 3, 4), (10, 12, 14));
        var shifted = SyntheticMasks.Box(Shape, (3, 3, 4), (10, 12, 14));
        var empty = new byte[Shape.VoxelCount];

        evaluator.Evaluate(report, "case1", "liver", reference, reference, Shape, spacing);
        evaluator.Evaluate(report, "case2", "liver", shifted, reference, Shape, spacing);
        evaluator.Evaluate(report, "case3", "liver", empty, reference, Shape, spacing);

        Assert.Equal(15, report.Records.Count);
        Assert.Equal(new[] { "dice", "iou", "hd95", "assd", "nsd@1.5mm" }, report.Records.Take(5).Select(r => r.Metric));
        var hd = report.Summarize().Single(s => s.Metric == "hd95");
        Assert.Equal(3, hd.Cases);
        Assert.Equal(1, hd.NonFinite); // the empty prediction: +∞
        Assert.Equal(0.5 * (0 + 2.0), hd.Mean, 12); // identical → 0; shifted one slice (2 mm) → 2
        var dice = report.Summarize().Single(s => s.Metric == "dice");
        Assert.Equal(0, dice.NonFinite);
        Assert.Equal((1.0 + 0.9 + 0.0) / 3, dice.Mean, 12);
        Assert.Equal(0.9, dice.Median, 12);
        Assert.Equal(Math.Sqrt((Math.Pow(1 - (1.9 / 3), 2) + Math.Pow(0.9 - (1.9 / 3), 2) + Math.Pow(1.9 / 3, 2)) / 2), dice.StandardDeviation, 12);

        var fromTensors = new MetricReport();
        using var p = torch.tensor(shifted, [Shape.Depth, Shape.Height, Shape.Width]).to(torch.float32);
        using var r = torch.tensor(reference, [Shape.Depth, Shape.Height, Shape.Width]);
        evaluator.Evaluate(fromTensors, "case2", "liver", p, r, spacing);
        Assert.Equal(report.Records.Skip(5).Take(5), fromTensors.Records);
    }

    [Fact]
    public void ReportWritersProduceParseableCsvAndJsonAtomically()
    {
        var report = new MetricReport();
        report.Add("case,1", "liver", "dice", 0.25);
        report.Add("case2", "liver", "dice", 0.75);
        report.Add("case2", "liver", "hd95", double.PositiveInfinity);
        var folder = Path.Combine(Path.GetTempPath(), "hermes-metrics-" + Guid.NewGuid().ToString("N"));
        try
        {
            var csv = Path.Combine(folder, "report.csv");
            var json = Path.Combine(folder, "report.json");
            var summary = Path.Combine(folder, "summary.csv");
            MetricReportWriter.WriteCsv(report, csv);
            MetricReportWriter.WriteJson(report, json);
            MetricReportWriter.WriteSummaryCsv(report, summary);

            var lines = File.ReadAllLines(csv);
            Assert.Equal("case,task,metric,value", lines[0]);
            Assert.Equal("\"case,1\",liver,dice,0.25", lines[1]);
            Assert.Equal("case2,liver,hd95,Infinity", lines[3]);
            Assert.Equal("liver,dice,2,0,0.5," + Math.Sqrt(0.125).ToString("R", CultureInfo.InvariantCulture) + ",0.5,0.25,0.75", File.ReadAllLines(summary)[1]);

            using var doc = JsonDocument.Parse(File.ReadAllText(json));
            var records = doc.RootElement.GetProperty("records");
            Assert.Equal(3, records.GetArrayLength());
            Assert.Equal("Infinity", records[2].GetProperty("value").GetString());
            Assert.Equal(0.5, doc.RootElement.GetProperty("summary")[0].GetProperty("mean").GetDouble(), 12);
            Assert.Equal(3, Directory.GetFiles(folder).Length); // no temporary file left behind
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
    }
}
