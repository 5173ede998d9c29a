using System.Text.Json.Nodes;
using Hermes.Abstractions;
using Hermes.Backbones;
using Hermes.Checkpoints;
using Hermes.Inference;
using Hermes.IO;
using Hermes.Volumes;
using TorchSharp;
using static TorchSharp.torch;
using Hermes.Preprocessing;

namespace Hermes.Backbones.Tests.Inference;

/// <summary>
/// A tiny random Hermes-R saved as a checkpoint with its sidecar runs through the whole predictor: the masks equal a
/// direct forward pass with the requested tasks plus exactly one null token (hermes-reference.md §11), files are uint8
/// NIfTI on the input's grid, and mirroring TTA makes the prediction equivariant under that mirror.
/// </summary>
public sealed class PredictorEndToEndTests : IDisposable
{
    private readonly string folder = Path.Combine(Path.GetTempPath(), "hermes-e2e-" + Guid.NewGuid().ToString("N"));

    public PredictorEndToEndTests() => Directory.CreateDirectory(folder);

    public void Dispose() => Directory.Delete(folder, recursive: true);

    private static readonly IntensityNormalization Identity = new(IntensityClipMode.None, 0, 0, ZScore: false);

    private static ModelSidecar Sidecar(double spacing) => new()
    {
        Architecture = "hermes-r",
        ArchitectureOptions = new JsonObject { ["arch"] = "resunet", ["base_chan"] = 4, ["tn"] = 3, ["mn"] = 2 },
        Tasks = ["liver", "spleen", "kidney"],
        Modalities = ["CT", "MR"],
        Preprocessing = new SidecarPreprocessing([spacing, spacing, spacing], new Dictionary<string, IntensityNormalization> { ["CT"] = Identity, ["MR"] = Identity }, [32, 32, 32]),
    };

    private static UniversalSegmenter TinyModel()
    {
        torch.manual_seed(7);
        return HermesR.Create(new HermesROptions { Backbone = new ResUNetOptions { BaseChannels = 4 }, TaskCount = 3, ModalityCount = 2 });
    }

    private static Volume Image(int[] shape, double spacing, double[,]? direction = null)
    {
        torch.manual_seed(11);
        using var noise = randn([shape[2], shape[1], shape[0]]);
        var (d, h, w) = ((double)shape[2], (double)shape[1], (double)shape[0]);
        using var z = arange(shape[2], ScalarType.Float32).view(-1, 1, 1).sub(d * 0.4).div(d * 0.25).square();
        using var y = arange(shape[1], ScalarType.Float32).view(1, -1, 1).sub(h * 0.55).div(h * 0.3).square();
        using var x = arange(shape[0], ScalarType.Float32).view(1, 1, -1).sub(w * 0.5).div(w * 0.2).square();
        var blob = z.add(y).add(x).neg().exp().mul(3).add(noise.mul(0.2));
        return new Volume(blob, VolumeGeometry.Create(shape, [spacing, spacing, spacing], [3, -7, 11], direction));
    }

    [Fact]
    public void MasksEqualADirectForwardPassWithOneNullToken()
    {
        var path = Path.Combine(folder, "tiny.safetensors");
        using (var model = TinyModel())
        {
            CheckpointWriter.Save(path, model, Sidecar(1.0));
        }

        var (state, sidecar) = CheckpointReader.Load(path);
        using var loaded = HermesR.Create(new HermesROptions { Backbone = new ResUNetOptions { BaseChannels = 4 }, TaskCount = 3, ModalityCount = 2 });
        StateDictLoader.Load(loaded, state);
        foreach (var t in state.Values)
        {
            t.Dispose();
        }

        // Canonical 32³ at the sidecar spacing: the model grid is the input grid and one window covers it.
        using var input = Image([32, 32, 32], 1.0);
        var predictor = new VolumePredictor(loaded, sidecar);
        using var result = predictor.Predict(input, new PredictionRequest(["kidney", "liver"], "MR"));

        using var noGrad = no_grad();
        using var output = loaded.forward(input.Data.unsqueeze(0), tensor(new long[] { 2, 0, -1 }).view(1, 3), tensor(new long[] { 1 }).view(1, 1));
        using var probabilities = output.Logits.sigmoid()[0];
        Assert.Equal(3, probabilities.shape[0]);
        for (var t = 0; t < 2; t++)
        {
            using var expected = probabilities[t].gt(0.5);
            using var actual = result.Masks[t].Data[0].to(ScalarType.Bool);
            using var ambiguous = probabilities[t].sub(0.5).abs().lt(1e-5);
            using var differ = expected.ne(actual).logical_and_(ambiguous.logical_not());
            Assert.Equal(0, differ.sum().item<long>());
            var foreground = actual.sum().item<long>();
            Assert.InRange(foreground, 1, (32 * 32 * 32) - 1); // a non-trivial decision, so the comparison means something
        }
    }

    [Fact]
    public void UnknownModalityUsesTheUnnamedLastModalityRow()
    {
        // mn = 3 with two named modalities: the last row is the unknown slot that modality id −1 selects (§14.2).
        torch.manual_seed(7);
        using var model = HermesR.Create(new HermesROptions { Backbone = new ResUNetOptions { BaseChannels = 4 }, TaskCount = 3, ModalityCount = 3 });
        using (no_grad())
        {
            foreach (var (name, p) in model.named_parameters().Where(p => p.name.EndsWith(".modality_prior", StringComparison.Ordinal)))
            {
                p[2].mul_(25); // make the unknown slot's prior clearly different from MR's (row 1)
            }
        }

        using var input = Image([32, 32, 32], 1.0);
        var named = Sidecar(1.0);
        var e = Assert.Throws<ArgumentException>(() => new VolumePredictor(model, named).Predict(input, new PredictionRequest(["liver"], "unknown")));
        Assert.Contains("no intensity normalisation for it (preprocessing.normalization.unknown)", e.Message, StringComparison.Ordinal);

        var sidecar = named with
        {
            Preprocessing = named.Preprocessing with { Normalization = new Dictionary<string, IntensityNormalization>(named.Preprocessing.Normalization) { ["unknown"] = Identity } },
        };
        sidecar.Validate();
        var predictor = new VolumePredictor(model, sidecar);
        using var unknown = predictor.Predict(input, new PredictionRequest(["liver"], "Unknown"));
        using var mr = predictor.Predict(input, new PredictionRequest(["liver"], "MR"));

        using var noGrad = no_grad();
        using var image = input.Data.unsqueeze(0);
        using var tasks = tensor(new long[] { 0, -1 }).view(1, 2);
        using var minusOne = model.forward(image, tasks, tensor(new long[] { -1 }).view(1, 1));
        using var lastRow = model.forward(image, tasks, tensor(new long[] { 2 }).view(1, 1));
        Assert.Equal(0, minusOne.Logits.sub(lastRow.Logits).abs().max().item<float>());
        using var expected = minusOne.Logits.sigmoid()[0, 0].gt(0.5);
        using var actual = unknown.Masks[0].Data[0].to(ScalarType.Bool);
        using var asMr = mr.Masks[0].Data[0].to(ScalarType.Bool);
        using var ambiguous = minusOne.Logits.sigmoid()[0, 0].sub(0.5).abs().lt(1e-5);
        Assert.Equal(0, expected.ne(actual).logical_and_(ambiguous.logical_not()).sum().item<long>());
        Assert.True(actual.ne(asMr).sum().item<long>() > 0, "the unknown slot and MR gave the same mask; the test cannot tell them apart");

        // Without an unnamed slot (mn = the two names), "unknown" would alias MR's row: it is refused, naming the choices.
        using var noSlot = TinyModel();
        e = Assert.Throws<ArgumentException>(() => new VolumePredictor(noSlot, sidecar).Predict(input, new PredictionRequest(["liver"], "unknown")));
        Assert.Contains("'unknown' is not in the model's vocabulary (CT, MR)", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FilesAreUInt8OnTheInputGridForAnObliqueAnisotropicInput()
    {
        using var model = TinyModel();
        var a = 0.4;
        double[,] direction = { { -Math.Cos(a), 0, Math.Sin(a) }, { 0, -1, 0 }, { Math.Sin(a), 0, Math.Cos(a) } };
        using var input = Image([37, 29, 23], 1.3, direction);
        var predictor = new VolumePredictor(model, Sidecar(1.6));
        var options = new PredictionOptions { Window = { Overlap = 0.25, WindowsPerBatch = 2 }, Postprocessing = { KeepLargestComponent = true } };
        var progress = new List<PredictionProgress>();

        var written = predictor.PredictToFolder(input, folder, "case7", new PredictionRequest(["liver", "spleen"], "CT"), options, new SyncProgress(progress));

        Assert.Equal([Path.Combine(folder, "case7", "liver.nii.gz"), Path.Combine(folder, "case7", "spleen.nii.gz")], written);
        foreach (var path in written)
        {
            using var mask = VolumeIO.Read(path);
            Assert.Equal(VoxelType.UInt8, mask.Metadata.DiskType);
            Assert.Equal(input.Geometry.Shape, mask.Geometry.Shape);
            var (e, g) = (input.Geometry.Affine, mask.Geometry.Affine);
            for (var r = 0; r < 4; r++)
            {
                for (var c = 0; c < 4; c++)
                {
                    Assert.Equal(e[r, c], g[r, c], 5);
                }
            }

            using var max = mask.Data.max();
            Assert.True(max.item<byte>() <= 1);
        }

        Assert.Contains(progress, p => p.Stage == "windows" && p.Done == p.Total && p.Total >= 1);
        Assert.Equal(new PredictionProgress("tasks", 2, 2), progress[^1]);
    }

    [Fact]
    public void MirroringTtaMakesThePredictionMirrorEquivariant()
    {
        using var model = TinyModel();
        // 48 voxels at 1 mm → 32 at 1.5 mm: one centred window, so only the model can break the symmetry.
        using var input = Image([48, 48, 48], 1.0);
        using var mirrored = new Volume(input.Data.flip(3), input.Geometry);
        var predictor = new VolumePredictor(model, Sidecar(1.5));
        var request = new PredictionRequest(["liver", "spleen", "kidney"], "CT");

        long Mismatch(bool tta)
        {
            // Mirroring along x only (MirrorTta = all three axes would cost 8 passes per window; the property is the same).
            var options = new PredictionOptions { Window = { MirrorAxes = tta ? [2] : [] } };
            using var a = predictor.Predict(input, request, options);
            using var b = predictor.Predict(mirrored, request, options);
            long differ = 0;
            for (var t = 0; t < 3; t++)
            {
                using var back = b.Masks[t].Data.flip(3);
                differ += a.Masks[t].Data.ne(back).sum().item<long>();
            }

            return differ;
        }

        var withTta = Mismatch(tta: true);
        var without = Mismatch(tta: false);
        Assert.True(withTta <= 3 * 48 * 48 * 48 / 10_000, $"{withTta} voxels differ between TTA on an image and on its mirror (without TTA: {without})");
        Assert.True(without > withTta, $"the random model should not be mirror-symmetric by itself: {without} vs {withTta}");
    }

    private sealed class SyncProgress(List<PredictionProgress> sink) : IProgress<PredictionProgress>
    {
        public void Report(PredictionProgress value) => sink.Add(value);
    }
}
