using Hermes.Testing;
using Hermes.Checkpoints;
using static TorchSharp.torch;
using Hermes.Preprocessing;

namespace Hermes.Cli.Tests.FineTuning;

/// <summary>
/// <c>hermes train</c> writes a model with its sidecar, and <c>hermes extend</c> turns it into a model whose sidecar lists
/// the new task and modality while the old tasks give bit-identical outputs.
/// </summary>
[Collection(TrainedModelCollection.Name)]
public sealed class ExtendCommandTests(TrainedModelFixture trained)
{
    [Fact]
    public void TrainWritesAModelWithItsSidecar()
    {
        Assert.Contains("trained 3 steps", trained.TrainOutput, StringComparison.Ordinal);
        Assert.Contains("EMA weights", trained.TrainOutput, StringComparison.Ordinal);
        var sidecar = ModelSidecar.Load(CheckpointWriter.SidecarPath(trained.Trained));
        Assert.Equal("hermes-r", sidecar.Architecture);
        Assert.Equal(71, sidecar.Tasks.Count); // the built-in catalog
        Assert.Equal(72, (int)sidecar.ArchitectureOptions["tn"]!);
        Assert.Equal(8, (int)sidecar.ArchitectureOptions["base_chan"]!);
        Assert.Equal(["CT", "PET", "T1-MRI", "T2-MRI", "cine-MRI"], sidecar.Modalities);
        Assert.Equal(IntensityNormalization.Ct, sidecar.Preprocessing.Normalization["CT"]);
        Assert.Equal([32, 32, 32], sidecar.Preprocessing.PatchSize);
        Assert.Equal([1.5, 1.5, 1.5], sidecar.Preprocessing.TargetSpacing);
    }

    [Fact]
    public void ExtendListsTheNewTaskAndModalityAndKeepsOldOutputsBitIdentical()
    {
        using var model = TrainedModelFixture.Load(trained.Trained, out var before);
        using var extended = TrainedModelFixture.Load(trained.Extended, out var after);

        // Vocabulary: the new task takes the first free id (71) and starts from amos/liver; old names keep their ids.
        Assert.Contains($"task {TrainedModelFixture.NewTask}: id 71 (from {TrainedModelFixture.NewTaskSource})", trained.ExtendOutput, StringComparison.Ordinal);
        Assert.Equal([.. before.Tasks, TrainedModelFixture.NewTask], after.Tasks);
        Assert.Equal(73, extended.TaskCount);
        Assert.Equal(73, (int)after.ArchitectureOptions["tn"]!);
        Assert.Contains(TrainedModelFixture.NewModality, after.Modalities);
        Assert.Equal(before.Modalities, after.Modalities.Take(before.Modalities.Count)); // old names keep their ids
        Assert.Equal(7, extended.ModalityCount); // 5 built-in + 1 new modality + the unnamed unknown slot, still last
        Assert.Equal(IntensityNormalization.Ct, after.Preprocessing.Normalization[TrainedModelFixture.NewModality]);

        // Old tasks, requested as before (CT and the unknown slot), answer bit for bit as before.
        model.eval();
        extended.eval();
        var spleen = before.Tasks.ToList().IndexOf("amos/spleen");
        var liver = before.Tasks.ToList().IndexOf("amos/liver");
        manual_seed(5);
        using var image = randn([2, 1, 32, 32, 32]);
        using var tasks = tensor(new long[,] { { spleen, liver, -1 }, { liver, -1, -1 } });
        using var modality = tensor(new long[,] { { 0 }, { -1 } });
        using (no_grad())
        {
            using var old = model.forward(image, tasks, modality);
            using var now = extended.forward(image, tasks, modality);
            Assert.True(TensorEquality.Same(old.Logits, now.Logits), "old-task logits changed after hermes extend");
        }

        // The new task starts as a copy of amos/liver: same rows, so the same answer.
        using (no_grad())
        {
            using var asLiver = extended.forward(image, tensor(new long[,] { { liver, -1 }, { liver, -1 } }), modality);
            using var asNew = extended.forward(image, tensor(new long[,] { { 71, -1 }, { 71, -1 } }), modality);
            Assert.True(TensorEquality.Same(asLiver.Logits, asNew.Logits), "the new task does not start from amos/liver");
        }
    }
}
