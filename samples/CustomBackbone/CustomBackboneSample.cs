using Hermes.Abstractions;
using Hermes.Data;
using Hermes.Priors.Fusion;
using Hermes.Priors.Heads;
using Hermes.Priors.Losses;
using Hermes.Runtime;
using Hermes.Training;
using static TorchSharp.torch;

namespace Hermes.Samples.CustomBackbone;

/// <summary>Plugs <see cref="TinyUNet"/> into the stock prior fusions, posterior head, modality head and loss, and trains it.</summary>
public static class CustomBackboneSample
{
    /// <summary>Two tasks (sphere, box) + the pad row, two modalities.</summary>
    public const int TaskCount = 3;

    public static UniversalSegmenter Compose() => new SegmenterBuilder()
        .WithBackbone(new TinyUNet())
        .WithVocabulary(TaskCount, modalityCount: 2)
        .FuseAfter("down", "fuse_down", new PriorInitFusionLayer(16, 1, TaskCount, 2, tokensPerModality: 2, dimHead: 8))
        .FuseAfter("up", "fuse_up", new PriorInitFusionLayer(8, 1, TaskCount, 2, tokensPerModality: 2, dimHead: 8))
        .WithPosteriorHead("out", new HierarchyPriorClassifier(16 + 8, 8)) // width = Σ fused stage channels
        .WithModalityHead("mod_out", new ModalityClassifier(16 + 8, 2))
        .Build();

    /// <summary>Trains for <paramref name="steps"/> steps on one synthetic batch and returns the loss of every step.</summary>
    public static IReadOnlyList<double> Train(int steps)
    {
        HermesRuntime.EnsureInitialized();
        manual_seed(7);
        using var model = Compose();
        using var optimizer = new AdamWOptimizer(model.parameters(), new AdamWOptions { LearningRate = 0.01 });
        var options = new TrainerOptions { Epochs = 1, StepsPerEpoch = steps, ValidateEveryEpochs = 0, ValidateLastEpochs = 0 };
        using var trainer = new Trainer(model, HermesLoss.Create(TaskCount).Terms, optimizer, options);
        using var batch = Batch();
        return [.. Enumerable.Range(0, steps).Select(_ => trainer.TrainStep(batch).Loss)];
    }

    /// <summary>A sphere (task 0) and a box (task 1) in noise; sample 0 is modality 0, sample 1 modality 1 and labels only the sphere.</summary>
    private static TrainingBatch Batch()
    {
        using var scope = NewDisposeScope();
        var grid = arange(16, ScalarType.Float32).sub(7.5f);
        var sphere = grid.view(16, 1, 1).square().add(grid.view(1, 16, 1).square()).add(grid.view(1, 1, 16).square()).lt(20).to(ScalarType.Int8);
        var box = zeros([16, 16, 16], ScalarType.Int8);
        box[TensorIndex.Slice(2, 6), TensorIndex.Slice(2, 6), TensorIndex.Slice(10, 14)] = 1;
        var image = sphere.add(box).to(ScalarType.Float32).add(randn([2, 1, 16, 16, 16]).mul(0.3));
        var labels = stack([stack([sphere, box]), stack([sphere, zeros_like(box)])]);
        var tasks = tensor(new long[] { 0, 1, 0, -1 }, [2, 2]); // the second sample has one task: a partial label set
        return new TrainingBatch(image.MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope(),
            tasks.MoveToOuterDisposeScope(), tensor(new long[] { 0, 1 }).MoveToOuterDisposeScope());
    }
}
