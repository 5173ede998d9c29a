using Hermes.Checkpoints;
using Hermes.Inference;
using Hermes.IO;
using Hermes.Testing;
using Hermes.Volumes;
using System.Text.Json.Nodes;
using TorchSharp;
using static TorchSharp.torch;
using Hermes.Preprocessing;

namespace Hermes.Core.Tests.Inference;

/// <summary>
/// The predictor returns labels in the input's ORIGINAL grid: with a window model whose logits are a known function of
/// the image intensities, the output masks coincide voxel for voxel with the bright object of inputs that are permuted,
/// flipped, anisotropic and oblique; written NIfTI files keep the input's exact shape and affine.
/// </summary>
public sealed class PredictionGeometryTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "hermes-predgeo-" + Guid.NewGuid().ToString("N"));

    public PredictionGeometryTests() => Directory.CreateDirectory(folder);

    public void Dispose() => Directory.Delete(folder, recursive: true);

    /// <summary>Window model: task 0 logit = gain·(x − level), task 1 logit = gain·(level − x), from channel 0 of the window.</summary>
    private sealed class IntensityModel(double level, double gain = 40, int tasks = 2) : IWindowPredictor
    {
        public int Calls { get; private set; }

        public Tensor Predict(Tensor windows, IReadOnlyList<WindowPlacement> placements)
        {
            Calls++;
            var x = windows.narrow(1, 0, 1);
            return cat([.. Enumerable.Range(0, tasks).Select(t => x.sub(level).mul(t % 2 == 0 ? gain : -gain))], 1);
        }
    }

    private static ModelSidecar Sidecar(double[] spacing, int[] patch, IntensityNormalization normalization) => new()
    {
        Architecture = "test",
        ArchitectureOptions = new JsonObject(),
        Tasks = ["bright", "dark", "unused"],
        Modalities = ["CT", "MR"],
        Preprocessing = new SidecarPreprocessing(spacing, new Dictionary<string, IntensityNormalization> { ["CT"] = normalization, ["MR"] = normalization }, patch),
    };

    private static readonly IntensityNormalization Identity = new(IntensityClipMode.None, 0, 0, ZScore: false);

    /// <summary>A 17×13×11 volume (i, j, k) with an off-centre bright box, spacing (0.7, 2.0, 1.3) and the given direction.</summary>
    private static Volume Phantom(double[,] direction, out bool[,,] bright)
    {
        int[] shape = [17, 13, 11];
        var geometry = VolumeGeometry.Create(shape, [0.7, 2.0, 1.3], [10, -20, 5], direction);
        var voxels = new float[shape[0] * shape[1] * shape[2]];
        bright = new bool[shape[2], shape[1], shape[0]];
        for (var k = 0; k < shape[2]; k++)
        {
            for (var j = 0; j < shape[1]; j++)
            {
                for (var i = 0; i < shape[0]; i++)
                {
                    // An asymmetric L-shaped object, so any flip or transposition would move it.
                    var inside = (i is >= 2 and < 9 && j is >= 1 and < 5 && k is >= 3 and < 10) || (i is >= 2 and < 4 && j is >= 5 and < 11 && k is >= 3 and < 6);
                    bright[k, j, i] = inside;
                    voxels[(((k * shape[1]) + j) * shape[0]) + i] = inside ? 100f : 3f;
                }
            }
        }

        return Volume.FromArray(voxels, geometry);
    }

    public static TheoryData<string> Directions => ["identity", "flip-x", "permute-yzx-flip", "oblique"];

    private static double[,] Direction(string name)
    {
        switch (name)
        {
            case "identity":
                return new double[,] { { 1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } };
            case "flip-x":
                return new double[,] { { -1, 0, 0 }, { 0, 1, 0 }, { 0, 0, 1 } };
            case "permute-yzx-flip":
                // i → −z, j → x, k → −y (columns are the axis directions).
                return new double[,] { { 0, 1, 0 }, { 0, 0, -1 }, { -1, 0, 0 } };
            default:
                var a = 0.3;
                var (c, s) = (Math.Cos(a), Math.Sin(a));
                return new double[,] { { 0, c, -s }, { 0, s, c }, { -1, 0, 0 } };
        }
    }

    [Theory]
    [MemberData(nameof(Directions))]
    public void MasksCoincideWithTheBrightObjectVoxelForVoxel(string direction)
    {
        using var input = Phantom(Direction(direction), out var bright);
        // Model spacing = the input's spacing in canonical order, so the model grid is the canonical grid (no interpolation);
        // an 8³ window over 17×13×11 exercises stitching, padding and the flush last window.
        var canonical = Hermes.Preprocessing.Reorientation.ToCanonical(input.Geometry).Target;
        var model = new IntensityModel(level: 50);
        var predictor = new VolumePredictor(Sidecar([.. canonical.Spacing], [8, 8, 8], Identity), (tasks, modality) =>
        {
            Assert.Equal([0, 1], tasks);
            Assert.Equal(1, modality);
            return model;
        });

        using var result = predictor.Predict(input, new PredictionRequest(["bright", "dark"], "mr"));

        Assert.True(model.Calls > 1);
        Assert.Equal(2, result.Masks.Count);
        for (var t = 0; t < 2; t++)
        {
            var mask = result.Masks[t];
            Assert.Equal(VoxelType.UInt8, mask.VoxelType);
            Assert.True(mask.Geometry.IsSameGrid(input.Geometry, 0));
            var values = mask.Data.flatten().data<byte>().ToArray();
            var n = 0;
            foreach (var expected in bright)
            {
                Assert.Equal(t == 0 ? expected : !expected, values[n++] == 1);
            }
        }
    }

    [Fact]
    public void LabelMapAndFilesKeepTheOriginalGrid()
    {
        using var input = Phantom(Direction("permute-yzx-flip"), out var bright);
        var canonical = Hermes.Preprocessing.Reorientation.ToCanonical(input.Geometry).Target;
        var predictor = new VolumePredictor(Sidecar([.. canonical.Spacing], [8, 8, 8], Identity), (_, _) => new IntensityModel(50));
        var options = new PredictionOptions { Output = PredictionOutputKind.LabelMap };

        var written = predictor.PredictToFolder(input, folder, "case1", new PredictionRequest(["bright", "dark"], "CT"), options);

        var path = Assert.Single(written);
        Assert.Equal(Path.Combine(folder, "case1.nii.gz"), path);
        using var map = VolumeIO.Read(path);
        Assert.Equal(VoxelType.UInt8, map.Metadata.DiskType);
        Assert.Equal(input.Geometry.Shape, map.Geometry.Shape);
        AssertAffineEqual(input.Geometry.Affine, map.Geometry.Affine, 1e-4);
        var values = map.Data.flatten().to(ScalarType.Int32).data<int>().ToArray();
        var n = 0;
        foreach (var expected in bright)
        {
            Assert.Equal(expected ? 1 : 2, values[n++]);
        }
    }

    [Fact]
    public void CoarserModelSpacingStillPlacesTheObject()
    {
        // Model grid 1.5× coarser than the input on every axis: probabilities are resampled back trilinearly and thresholded.
        using var input = Phantom(Direction("permute-yzx-flip"), out var bright);
        var canonical = Hermes.Preprocessing.Reorientation.ToCanonical(input.Geometry).Target;
        var predictor = new VolumePredictor(Sidecar([.. canonical.Spacing.Select(s => s * 1.5)], [8, 8, 8], Identity), (tasks, _) => new IntensityModel(50, gain: 4, tasks.Count));

        using var result = predictor.Predict(input, new PredictionRequest(["bright"], "CT"));

        var mask = result.Masks[0];
        Assert.Equal(input.Geometry.Shape, mask.Geometry.Shape);
        var values = mask.Data.flatten().data<byte>().ToArray();
        long both = 0, predicted = 0, reference = 0, n = 0;
        foreach (var expected in bright)
        {
            var p = values[n++] == 1;
            both += p && expected ? 1 : 0;
            predicted += p ? 1 : 0;
            reference += expected ? 1 : 0;
        }

        var dice = 2.0 * both / (predicted + reference);
        Assert.True(dice > 0.8, $"Dice {dice:F3} ({predicted} predicted, {reference} reference voxels)");
    }

    [Fact]
    public void SlabwiseBackResamplingEqualsTheWholeGridComputation()
    {
        // 8×9×70 voxels (70 slices: three 32-slice slabs), flipped, at a finer model spacing: the predictor (slabwise
        // back-resampling, a window model) must equal resample → sigmoid(logit) → resample back on whole grids → undo the reorientation.
        using var ramp = arange(70, ScalarType.Float32).view(-1, 1, 1).mul(0.37).sin().mul(60).add(arange(8, ScalarType.Float32).view(1, 1, -1).mul(4)).add(arange(9, ScalarType.Float32).view(1, -1, 1)).add(30);
        using var input = new Volume(ramp.expand(70, 9, 8).contiguous(), VolumeGeometry.Create([8, 9, 70], [0.9, 1.1, 1.0], [1, 2, 3], Direction("flip-x")));
        var toCanonical = Hermes.Preprocessing.Reorientation.ToCanonical(input.Geometry);
        var canonical = toCanonical.Target;
        double[] spacing = [.. canonical.Spacing.Select(s => s * 0.7)];
        var modelGrid = Hermes.Preprocessing.Resampling.TargetForSpacing(canonical, spacing);
        Assert.Equal(70, canonical.Shape[2]);
        var predictor = new VolumePredictor(Sidecar(spacing, [16, 16, 16], Identity), (tasks, _) => new IntensityModel(50, gain: 0.05, tasks.Count));

        using var result = predictor.Predict(input, new PredictionRequest(["bright"], "CT"));

        using var scope = NewDisposeScope();
        var x = Hermes.Preprocessing.Resampling.Resample(toCanonical.Apply(input.Data.to(ScalarType.Float32)), canonical, modelGrid, Hermes.Preprocessing.ResamplingMode.Linear);
        var p = x.sub(50).mul(0.05).sigmoid();
        var back = toCanonical.Inverse.Apply(Hermes.Preprocessing.Resampling.Resample(p, modelGrid, canonical, Hermes.Preprocessing.ResamplingMode.Linear));
        var expected = back.gt(0.5);
        var ambiguous = back.sub(0.5).abs().lt(1e-5);
        var actual = result.Masks[0].Data.to(ScalarType.Bool);
        Assert.Equal(0, expected.ne(actual).logical_and_(ambiguous.logical_not()).sum().item<long>());
        Assert.InRange(actual.sum().item<long>(), 50, input.Geometry.VoxelCount - 50);
    }

    [Fact]
    public void UnknownTasksAndUndeterminedModalityAreNamed()
    {
        using var input = Phantom(Direction("identity"), out _);
        var predictor = new VolumePredictor(Sidecar([1, 1, 1], [8, 8, 8], Identity), (_, _) => new IntensityModel(50));
        var e = Assert.Throws<ArgumentException>(() => predictor.Predict(input, new PredictionRequest(["liver"], "CT")));
        Assert.Contains("'liver'", e.Message, StringComparison.Ordinal);
        e = Assert.Throws<ArgumentException>(() => predictor.Predict(input, new PredictionRequest(["bright"])));
        Assert.Contains("CT, MR", e.Message, StringComparison.Ordinal);
    }

    [SkippableTheory]
    [InlineData("isles22_stroke/imagesTr/sub-strokecase0009_dwi.nii.gz")]
    [InlineData("nifti_edge_cases/nibabel/anatomical.nii")]
    [InlineData("nifti_edge_cases/nibabel/reoriented_anat_moved.nii")]
    public void RealVolumeIsWrittenOnItsOwnShapeAndAffine(string file)
    {
        var path = Path.Combine(SharedAssets.RequireData(), file);
        using var input = VolumeIO.Read(path);
        // z-score then threshold at 0 = "brighter than the mean"; model spacing 2.5 mm isotropic (interpolation on every axis).
        var predictor = new VolumePredictor(Sidecar([2.5, 2.5, 2.5], [32, 32, 32], new IntensityNormalization(IntensityClipMode.None, 0, 0, ZScore: true)), (tasks, _) => new IntensityModel(0, gain: 10, tasks.Count));

        var written = predictor.PredictToFolder(input, folder, "real", new PredictionRequest(["bright"], "MR"));

        using var mask = VolumeIO.Read(Assert.Single(written));
        Assert.Equal(VoxelType.UInt8, mask.Metadata.DiskType);
        Assert.Equal(input.Geometry.Shape, mask.Geometry.Shape);
        AssertAffineEqual(input.Geometry.Affine, mask.Geometry.Affine, 1e-5);

        // The mask must lie where the input is brighter than its mean, in the input's own voxel order.
        using var image = input.Data[0].to(ScalarType.Float64);
        using var direct = image.gt(image.mean());
        using var predicted = mask.Data[0].to(ScalarType.Bool);
        var both = predicted.logical_and(direct).sum().item<long>();
        var dice = 2.0 * both / (predicted.sum().item<long>() + direct.sum().item<long>());
        Assert.True(dice > 0.85, $"{file}: Dice {dice:F3} between the prediction and the direct threshold");
    }

    private static void AssertAffineEqual(double[,] expected, double[,] actual, double tolerance)
    {
        for (var r = 0; r < 4; r++)
        {
            for (var c = 0; c < 4; c++)
            {
                Assert.True(Math.Abs(expected[r, c] - actual[r, c]) <= tolerance, $"affine[{r},{c}]: expected {expected[r, c]}, got {actual[r, c]}");
            }
        }
    }
}
