using Hermes.Abstractions;
using Hermes.Priors.Fusion;
using Hermes.Priors.Heads;
using Hermes.Priors.Losses;
using TorchSharp;
using TorchSharp.Modules;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Hermes.Backbones.Tests;

/// <summary>
/// A user-written backbone composes with the stock prior fusion, posterior head, modality head and losses through the
/// builder, trains (loss decreases), and mismatched parts are rejected with messages naming the problem.
/// </summary>
public sealed class CustomBackboneTests(ITestOutputHelper log)
{
    /// <summary>A two-level U-Net written against <see cref="IHierarchicalBackbone"/>: stem, one pooled stage, one up stage.</summary>
    private sealed class TinyUNet : nn.Module<Tensor, Tensor>, IHierarchicalBackbone
    {
#pragma warning disable IDE1006, SA1300 // field names are state-dict keys
        private readonly Conv3d stem;
        private readonly Conv3d down;
        private readonly Conv3d up;
#pragma warning restore IDE1006, SA1300
        private readonly BackboneStage[] stages =
        [
            new("stem", StageKind.Encoder, 8, 1),
            new("down", StageKind.Encoder, 16, 2),
            new("up", StageKind.Decoder, 8, 1),
        ];

        public TinyUNet()
            : base(nameof(TinyUNet))
        {
            stem = nn.Conv3d(1, 8, 3, padding: 1);
            down = nn.Conv3d(8, 16, 3, padding: 1);
            up = nn.Conv3d(24, 8, 3, padding: 1);
            RegisterComponents();
        }

        public int InputChannels => 1;

        public int OutputChannels => 8;

        public IReadOnlyList<BackboneStage> Stages => stages;

        public void ValidateSpatialSize(ReadOnlySpan<long> spatialSize)
        {
            foreach (var s in spatialSize)
            {
                if (s < 4 || s % 2 != 0)
                {
                    throw new ArgumentException($"TinyUNet needs even sizes ≥ 4; got {s}.");
                }
            }
        }

        public Tensor Forward(Tensor input, IStageHook hook)
        {
            using var scope = NewDisposeScope();
            var s = hook.AfterStage(stages[0], nn.functional.relu(stem.forward(input)));
            var d = hook.AfterStage(stages[1], nn.functional.relu(down.forward(nn.functional.max_pool3d(s, [2, 2, 2]))));
            var u = nn.functional.interpolate(d, s.shape[2..], mode: InterpolationMode.Trilinear, align_corners: true);
            var o = hook.AfterStage(stages[2], up.forward(cat([s, u], 1)));
            return o.MoveToOuterDisposeScope();
        }

        public override Tensor forward(Tensor input) => throw new NotSupportedException("Run through a UniversalSegmenter.");
    }

    private static UniversalSegmenter Compose() => new SegmenterBuilder()
        .WithBackbone(new TinyUNet())
        .WithVocabulary(taskCount: 4, modalityCount: 2)
        .FuseAfter("down", "fuse_down", new PriorInitFusionLayer(16, 1, 4, 2, tokensPerModality: 2, dimHead: 8))
        .FuseAfter("up", "fuse_up", new PriorInitFusionLayer(8, 1, 4, 2, tokensPerModality: 2, dimHead: 8))
        .WithPosteriorHead("out", new HierarchyPriorClassifier(24, 8))
        .WithModalityHead("mod_out", new ModalityClassifier(24, 2))
        .Build();

    [Fact]
    public void CustomBackboneWithStockPriorsTrainsAndLossDecreases()
    {
        manual_seed(7);
        using var model = Compose();
        Assert.Contains(model.named_parameters(), p => p.name == "fuse_down.task_prior");
        Assert.Contains(model.named_parameters(), p => p.name == "stem.weight");

        // Synthetic batch: a bright sphere (task 0) and a bright box (task 1) in noise; column 2 is a null pad.
        using var scope = NewDisposeScope();
        var grid = arange(16, ScalarType.Float32).sub(7.5f);
        var r2 = grid.view(16, 1, 1).square().add(grid.view(1, 16, 1).square()).add(grid.view(1, 1, 16).square());
        var sphere = r2.lt(20).to_type(ScalarType.Int8);
        var box = zeros([16, 16, 16], ScalarType.Int8);
        box[TensorIndex.Slice(2, 6), TensorIndex.Slice(2, 6), TensorIndex.Slice(10, 14)] = 1;
        var image = sphere.add(box).to_type(ScalarType.Float32).add(randn([2, 1, 16, 16, 16]).mul(0.3));
        var labels = stack([stack([sphere, box, zeros_like(box)]), stack([sphere, box, zeros_like(box)])]);
        var tasks = tensor(new long[] { 0, 1, -1, 0, 1, -1 }, [2, 3]);
        var modalities = tensor(new long[] { 0, 1 }, [2, 1]);
        var loss = HermesLoss.Create(taskCount: 4);
        var optimizer = optim.AdamW(model.parameters(), lr: 0.01);

        var history = new List<double>();
        for (var step = 0; step < 25; step++)
        {
            using var stepScope = NewDisposeScope();
            optimizer.zero_grad();
            using var output = model.forward(image, tasks, modalities);
            var total = loss.Compute(LossInput.From(output, labels, new PriorRequest(tasks, modalities)));
            total.backward();
            optimizer.step();
            history.Add(total.item<float>());
        }

        log.WriteLine(string.Join(", ", history.Select(h => h.ToString("F4", System.Globalization.CultureInfo.InvariantCulture))));
        var late = history.TakeLast(5).Average();
        Assert.True(late < 0.75 * history[0], $"Loss went from {history[0]:F4} to a last-5 mean of {late:F4}; expected a clear decrease.");
    }

    [Fact]
    public void MismatchedPartsAreRejectedWithClearMessages()
    {
        var wrongWidth = Assert.Throws<InvalidOperationException>(() => new SegmenterBuilder()
            .WithBackbone(new TinyUNet())
            .WithVocabulary(4, 2)
            .FuseAfter("down", "fuse_down", new PriorInitFusionLayer(8, 1, 4, 2, dimHead: 8))
            .WithPosteriorHead("out", new HierarchyPriorClassifier(8, 8))
            .Build());
        Assert.Contains("width 8", wrongWidth.Message);
        Assert.Contains("16 channels", wrongWidth.Message);

        var unknownStage = Assert.Throws<InvalidOperationException>(() => new SegmenterBuilder()
            .WithBackbone(new TinyUNet())
            .WithVocabulary(4, 2)
            .FuseAfter("bottleneck", "fuse", new PriorInitFusionLayer(16, 1, 4, 2, dimHead: 8))
            .WithPosteriorHead("out", new HierarchyPriorClassifier(16, 8))
            .Build());
        Assert.Contains("'bottleneck'", unknownStage.Message);

        var headWidth = Assert.Throws<InvalidOperationException>(() => new SegmenterBuilder()
            .WithBackbone(new TinyUNet())
            .WithVocabulary(4, 2)
            .FuseAfter("down", "fuse_down", new PriorInitFusionLayer(16, 1, 4, 2, dimHead: 8))
            .WithPosteriorHead("out", new HierarchyPriorClassifier(24, 8))
            .Build());
        Assert.Contains("expects width 24", headWidth.Message);

        var duplicate = Assert.Throws<InvalidOperationException>(() => new SegmenterBuilder()
            .WithBackbone(new TinyUNet())
            .WithVocabulary(4, 2)
            .FuseAfter("down", "stem", new PriorInitFusionLayer(16, 1, 4, 2, dimHead: 8))
            .WithPosteriorHead("out", new HierarchyPriorClassifier(16, 8))
            .Build());
        Assert.Contains("'stem' is used twice", duplicate.Message);
    }
}
