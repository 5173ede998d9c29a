using System.IO.Compression;
using System.Text;
using System.Text.Json.Nodes;
using Hermes.Checkpoints;
using Hermes.Inference;
using Hermes.IO;
using Hermes.Volumes;
using TorchSharp;
using static TorchSharp.torch;
using Hermes.Preprocessing;

namespace Hermes.Core.Tests.Inference;

/// <summary>
/// Probability maps on request (issue #24): returned per task on the input's grid, equal to what the masks were
/// thresholded from, and written as float32 NIfTI or as a float16 NumPy archive that numpy.load reads.
/// </summary>
public sealed class ProbabilityOutputTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("hermes-probabilities-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public void ProbabilitiesAreReturnedOnTheInputGridAndThresholdToTheMasks()
    {
        var predictor = Predictor();
        using var input = Phantom();
        var request = new PredictionRequest(["bright", "dark"], "CT");

        using var plain = predictor.Predict(input, request);
        Assert.Empty(plain.Probabilities);

        using var result = predictor.Predict(input, request, new PredictionOptions { KeepProbabilities = true });
        Assert.Equal(2, result.Probabilities.Count);
        for (var t = 0; t < 2; t++)
        {
            var p = result.Probabilities[t];
            Assert.True(p.Geometry.IsSameGrid(input.Geometry));
            Assert.Equal(ScalarType.Float32, p.Data.dtype);
            Assert.True(p.Data.ge(0).all().ToBoolean() && p.Data.le(1).all().ToBoolean());
            Assert.True(p.Data.gt(0.5).to(ScalarType.Byte).eq(result.Masks[t].Data).all().ToBoolean(), $"task {t}: the mask is not the thresholded probability");
            Assert.True(result.Masks[t].Data.eq(plain.Masks[t].Data).all().ToBoolean());
        }

        // The two tasks are mirror images: p(dark) = 1 − p(bright) everywhere.
        Assert.True(result.Probabilities[0].Data.add(result.Probabilities[1].Data).sub(1).abs().max().ToSingle() < 1e-5f);
    }

    [Fact]
    public void ProbabilitiesAreWrittenAsFloat32NiftiOrAFloat16NumpyArchive()
    {
        var predictor = Predictor();
        using var input = Phantom();
        var request = new PredictionRequest(["bright", "amos/dark"], "CT");
        using var reference = predictor.Predict(input, request, new PredictionOptions { KeepProbabilities = true });

        var written = predictor.PredictToFolder(input, folder, "case1", request, new PredictionOptions { KeepProbabilities = true });
        Assert.Contains(Path.Combine(folder, "case1_probabilities", "amos_dark.nii.gz"), written);
        for (var t = 0; t < 2; t++)
        {
            using var map = VolumeIO.Read(Path.Combine(folder, "case1_probabilities", SafeFileName.Map(request.Tasks)[t] + ".nii.gz"));
            Assert.Equal(VoxelType.Float32, map.Metadata.DiskType);
            Assert.True(map.Geometry.IsSameGrid(input.Geometry));
            Assert.True(map.Data.to(ScalarType.Float32).sub(reference.Probabilities[t].Data).abs().max().ToSingle() < 1e-6f);
        }

        var half = predictor.PredictToFolder(input, folder, "case2", request, new PredictionOptions { KeepProbabilities = true, ProbabilityFormat = ProbabilityFormat.NumpyFloat16 });
        var npz = Assert.Single(half, p => p.EndsWith(".npz", StringComparison.Ordinal));
        Assert.Equal(Path.Combine(folder, "case2_probabilities.npz"), npz);
        using var zip = ZipFile.OpenRead(npz);
        Assert.Equal(["probabilities.npy", "affine.npy", "tasks.npy"], zip.Entries.Select(e => e.FullName));

        var (descr, shape, data) = ReadNpy(zip.GetEntry("probabilities.npy")!);
        Assert.Equal("<f2", descr);
        long[] expectedShape = [2, .. reference.Probabilities[0].Data.shape[1..]];
        Assert.Equal(expectedShape, shape);
        using var halves = tensor(Enumerable.Range(0, data.Length / 2).Select(i => (float)BitConverter.ToHalf(data, 2 * i)).ToArray(), expectedShape);
        using var expected = stack([.. reference.Probabilities.Select(p => p.Data[0])]);
        Assert.True(halves.sub(expected).abs().max().ToSingle() <= 1f / 2048, "float16 values differ from the probabilities by more than half a float16 step"); // 2⁻¹¹: rounding at values ≤ 1

        (descr, shape, data) = ReadNpy(zip.GetEntry("affine.npy")!);
        Assert.Equal("<f8", descr);
        Assert.Equal([4L, 4L], shape);
        Assert.Equal(input.Geometry.Affine.Cast<double>(), Enumerable.Range(0, 16).Select(i => BitConverter.ToDouble(data, 8 * i)));

        (descr, shape, data) = ReadNpy(zip.GetEntry("tasks.npy")!);
        Assert.Equal("<U9", descr);
        Assert.Equal([2L], shape);
        Assert.Equal("bright\0\0\0amos/dark", Encoding.UTF32.GetString(data));
    }

    /// <summary>Parses one .npy entry: format 1.0, C order; returns the dtype descriptor, the shape and the raw data.</summary>
    private static (string Descr, long[] Shape, byte[] Data) ReadNpy(ZipArchiveEntry entry)
    {
        using var stream = entry.Open();
        using var memory = new MemoryStream();
        stream.CopyTo(memory);
        var bytes = memory.ToArray();
        Assert.Equal([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0], bytes[..8]);
        var length = bytes[8] | (bytes[9] << 8);
        Assert.Equal(0, (10 + length) % 64);
        var header = Encoding.ASCII.GetString(bytes, 10, length);
        Assert.EndsWith("\n", header, StringComparison.Ordinal);
        Assert.Contains("'fortran_order': False", header, StringComparison.Ordinal);
        var descr = header.Split("'descr': '")[1].Split('\'')[0];
        var shape = header.Split("'shape': (")[1].Split(')')[0].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(long.Parse).ToArray();
        return (descr, shape, bytes[(10 + length)..]);
    }

    private static VolumePredictor Predictor() => new(new ModelSidecar
    {
        Architecture = "test",
        ArchitectureOptions = new JsonObject(),
        Tasks = ["bright", "dark", "amos/dark"],
        Modalities = ["CT"],
        Preprocessing = new SidecarPreprocessing([1.3, 1.3, 1.3],
            new Dictionary<string, IntensityNormalization> { ["CT"] = new(IntensityClipMode.None, 0, 0, ZScore: false) }, [8, 8, 8]),
    }, (tasks, _) => new RampModel(tasks.Count));

    /// <summary>Logit of task t: (x − 50)/10 for even t, (50 − x)/10 for odd t: soft probabilities, mirror images.</summary>
    private sealed class RampModel(int tasks) : IWindowPredictor
    {
        public Tensor Predict(Tensor windows, IReadOnlyList<WindowPlacement> placements)
        {
            var x = windows.narrow(1, 0, 1).sub(50).div(10);
            return cat([.. Enumerable.Range(0, tasks).Select(t => t % 2 == 0 ? x : x.neg())], 1);
        }
    }

    /// <summary>A 14×12×10 volume at 1 mm, oblique-free, with a smooth ramp and a bright block.</summary>
    private static Volume Phantom()
    {
        var data = arange(10 * 12 * 14, ScalarType.Float32).reshape(10, 12, 14).remainder(37).mul(2.5f);
        data[TensorIndex.Slice(2, 6), TensorIndex.Slice(3, 8), TensorIndex.Slice(4, 10)] = tensor(100f);
        return new Volume(data.unsqueeze(0), VolumeGeometry.Create([14, 12, 10], [1, 1, 1], [5, -3, 2], new double[,] { { -1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } }));
    }
}
