using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Hermes.Backbones;
using Hermes.Checkpoints;
using Hermes.IO;
using Hermes.Metrics;
using Hermes.Volumes;
using static TorchSharp.torch;
using Hermes.Preprocessing;

namespace Hermes.Cli.Tests;

/// <summary>
/// <c>hermes predict</c> then <c>hermes evaluate</c>, run as processes on a synthetic case with a tiny random Hermes-R
/// checkpoint: the label map keeps the input's grid, and the report's numbers equal the library's evaluator on the same files.
/// </summary>
public sealed class PredictEvaluateCommandTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "hermes-cli-pe-" + Guid.NewGuid().ToString("N"));

    public PredictEvaluateCommandTests() => Directory.CreateDirectory(folder);

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void PredictThenEvaluateMatchesTheLibraryEvaluator()
    {
        var model = Path.Combine(folder, "model", "tiny.safetensors");
        Directory.CreateDirectory(Path.GetDirectoryName(model)!);
        manual_seed(3);
        // Sized as a trained model is (tn = 3 named tasks + the silenced id, mn = CT + the unknown slot), with no tn/mn in
        // the sidecar: predict must take the sizes from the prior tables, not from the name counts.
        using (var net = HermesR.Create(new HermesROptions { Backbone = new ResUNetOptions { BaseChannels = 4 }, TaskCount = 4, ModalityCount = 2 }))
        {
            var none = new IntensityNormalization(IntensityClipMode.None, 0, 0, ZScore: true);
            CheckpointWriter.Save(model, net, new ModelSidecar
            {
                Architecture = "hermes-r",
                ArchitectureOptions = new JsonObject { ["base_chan"] = 4 },
                Tasks = ["liver", "spleen", "kidney"],
                Modalities = ["CT"],
                Preprocessing = new SidecarPreprocessing([1.5, 1.5, 1.5], new Dictionary<string, IntensityNormalization> { ["CT"] = none }, [32, 32, 32]),
            });
        }

        // A flipped, anisotropic 40×36×20 case: two boxes as the reference, the image is the reference plus noise.
        var images = Directory.CreateDirectory(Path.Combine(folder, "images")).FullName;
        var refs = Directory.CreateDirectory(Path.Combine(folder, "refs")).FullName;
        var geometry = VolumeGeometry.Create([40, 36, 20], [1.1, 1.2, 2.5], [50, 60, -30], new double[,] { { -1, 0, 0 }, { 0, -1, 0 }, { 0, 0, 1 } });
        using (var labels = zeros([20, 36, 40], ScalarType.Int16))
        {
            labels[TensorIndex.Slice(4, 14), TensorIndex.Slice(5, 20), TensorIndex.Slice(3, 18)] = tensor((short)1);
            labels[TensorIndex.Slice(6, 12), TensorIndex.Slice(22, 32), TensorIndex.Slice(20, 36)] = tensor((short)2);
            using var refVolume = new Volume(labels.clone(), geometry);
            VolumeIO.Write(refVolume, Path.Combine(refs, "case1.nii.gz"), new VolumeWriteOptions { IsLabel = true });
            manual_seed(5);
            using var image = new Volume(labels.to(ScalarType.Float32).mul(100).add(randn([20, 36, 40]).mul(20)), geometry);
            VolumeIO.Write(image, Path.Combine(images, "case1.nii.gz"));
        }

        var pred = Path.Combine(folder, "pred");
        var (code, output, error) = Hermes("predict", "--model", model, "--input", images, "--tasks", "liver,spleen", "--output", pred, "--overlap", "0.25");
        Assert.True(code == 0, $"predict failed ({code}): {error}\n{output}");
        var predPath = Path.Combine(pred, "case1.nii.gz");
        Assert.Contains(predPath, output, StringComparison.Ordinal);
        using (var map = VolumeIO.Read(predPath))
        {
            Assert.True(map.Geometry.IsSameGrid(geometry, 1e-5), map.Geometry.ToString());
            Assert.Equal(VoxelType.UInt8, map.Metadata.DiskType);
        }

        var report = Path.Combine(folder, "report.csv");
        (code, output, error) = Hermes("evaluate", "--pred", pred, "--ref", refs, "--labels", Path.Combine(pred, "labels.json"), "--metrics", "dice,hd95,nsd", "--tolerance", "2", "--out", report);
        Assert.True(code == 0, $"evaluate failed ({code}): {error}\n{output}");

        var rows = File.ReadAllLines(report).Skip(1).Select(l => l.Split(',')).ToDictionary(r => (r[0], r[1], r[2]), r => double.Parse(r[3], CultureInfo.InvariantCulture));
        var evaluator = new SegmentationEvaluator(new EvaluationOptions { ToleranceMm = 2 });
        var expected = new MetricReport();
        using (var p = VolumeIO.Read(predPath))
        using (var r = VolumeIO.Read(Path.Combine(refs, "case1.nii.gz")))
        {
            var spacing = new VoxelSpacing(r.Geometry.Spacing[2], r.Geometry.Spacing[1], r.Geometry.Spacing[0]); // as stored (float32 header)
            foreach (var (task, label) in new[] { ("liver", 1), ("spleen", 2) })
            {
                using var pm = p.Data[0].eq(label);
                using var rm = r.Data[0].eq(label);
                evaluator.Evaluate(expected, "case1", task, pm, rm, spacing);
            }
        }

        Assert.Equal(6, rows.Count);
        Assert.Equal(6, expected.Records.Count);
        foreach (var e in expected.Records)
        {
            Assert.Equal(e.Value, rows[(e.Case, e.Task, e.Metric)]);
        }

        Assert.Contains("dice", expected.Records.Select(e => e.Metric));
    }

    [Fact]
    public void EvaluateNamesAMissingPrediction()
    {
        var refs = Directory.CreateDirectory(Path.Combine(folder, "refs")).FullName;
        var pred = Directory.CreateDirectory(Path.Combine(folder, "pred")).FullName;
        using (var v = new Volume(ones([4, 5, 6], ScalarType.Byte), VolumeGeometry.Create([6, 5, 4], [1, 1, 1])))
        {
            VolumeIO.Write(v, Path.Combine(refs, "c9.nii.gz"), new VolumeWriteOptions { IsLabel = true });
        }

        var labels = Path.Combine(folder, "labels.json");
        File.WriteAllText(labels, "{\"liver\": 1}");
        var (code, _, error) = Hermes("evaluate", "--pred", pred, "--ref", refs, "--labels", labels, "--out", Path.Combine(folder, "r.csv"));
        Assert.Equal(1, code);
        Assert.Contains("c9", error, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(folder, "r.csv")));
    }

    private static (int Code, string Output, string Error) Hermes(params string[] args) => HermesProcess.Run(TimeSpan.FromMinutes(5), args);
}
