using Hermes.Checkpoints;
using Hermes.Testing;
using Hermes.Transfer;
using static TorchSharp.torch;

namespace Hermes.Cli.Tests.FineTuning;

/// <summary>
/// <c>hermes train --init-from EXTENDED --freeze heads|backbone</c> fine-tunes an extended model for a few steps: the
/// frozen parameters are bit-identical afterwards (in the trained weights and in the exported EMA model), the trainable
/// ones moved, and the vocabulary of the extended model is kept.
/// </summary>
[Collection(TrainedModelCollection.Name)]
public sealed class FineTuneCommandTests(TrainedModelFixture trained)
{
    [Fact]
    public void FreezeHeadsTrainsOnlyThePriors()
    {
        var (output, _) = TrainedModelFixture.Run("train", "--config", trained.Config("freeze-heads", learningRate: 0.01),
            "--init-from", trained.Extended, "--freeze", "heads");
        Assert.Contains("backbone and heads frozen; priors train", output, StringComparison.Ordinal);
        Assert.Contains("trained 3 steps", output, StringComparison.Ordinal);

        var changes = Changes("freeze-heads");
        Assert.DoesNotContain(changes, c => c.Part != ModelParts.Priors && c.InModel);
        Assert.DoesNotContain(changes, c => c.Part != ModelParts.Priors && c.InExport);
        Assert.Contains(changes, c => c.Part == ModelParts.Backbone); // the comparison covered them
        Assert.Contains(changes, c => c.Part == ModelParts.Heads);
        AssertPriorsTrained("freeze-heads", changes);
    }

    [Fact]
    public void FreezeBackboneTrainsPriorsAndHeads()
    {
        var (output, _) = TrainedModelFixture.Run("train", "--config", trained.Config("freeze-backbone", learningRate: 0.01),
            "--init-from", trained.Extended, "--freeze", "backbone");
        Assert.Contains("backbone frozen; priors and heads train", output, StringComparison.Ordinal);

        var changes = Changes("freeze-backbone");
        Assert.Contains(changes, c => c.Part == ModelParts.Backbone);
        Assert.DoesNotContain(changes, c => c.Part == ModelParts.Backbone && (c.InModel || c.InExport));
        Assert.Contains(changes, c => c.Part == ModelParts.Heads && c.InModel && c.InExport);
        AssertPriorsTrained("freeze-backbone", changes);
    }

    /// <summary>Priors moved, among them the rows of a task the data labels; the fine-tuned model keeps the extended vocabulary.</summary>
    private void AssertPriorsTrained(string run, IReadOnlyList<Change> changes)
    {
        Assert.Contains(changes, c => c.Part == ModelParts.Priors && c.InModel && c.InExport);
        var extended = ModelSidecar.Load(CheckpointWriter.SidecarPath(trained.Extended));
        var tuned = ModelSidecar.Load(CheckpointWriter.SidecarPath(Path.Combine(trained.Folder, run, "model.safetensors")));
        Assert.Equal(extended.Tasks, tuned.Tasks);
        Assert.Equal(extended.Modalities, tuned.Modalities);
        Assert.Equal(73, (int)tuned.ArchitectureOptions["tn"]!);

        var spleen = extended.Tasks.ToList().IndexOf("amos/spleen"); // label 1 of every case
        var before = SafeTensors.Load(trained.Extended);
        var after = SafeTensors.Load(Path.Combine(trained.Folder, run, "final.safetensors"));
        try
        {
            var tables = before.Keys.Where(k => k.EndsWith(".task_prior", StringComparison.Ordinal)).ToList();
            Assert.NotEmpty(tables);
            Assert.Contains(tables, k => !TensorEquality.Same(before[k][spleen], after["model." + k][spleen]));
        }
        finally
        {
            Dispose(before);
            Dispose(after);
        }
    }

    /// <summary>For every parameter of the model: whether the run changed it in the trained weights and in the exported (EMA) model.</summary>
    private List<Change> Changes(string run)
    {
        var sidecar = ModelSidecar.Load(CheckpointWriter.SidecarPath(trained.Extended));
        using var architecture = TrainedModelFixture.Build(sidecar);
        var before = SafeTensors.Load(trained.Extended);
        var checkpoint = SafeTensors.Load(Path.Combine(trained.Folder, run, "final.safetensors"));
        var exported = SafeTensors.Load(Path.Combine(trained.Folder, run, "model.safetensors"));
        try
        {
            return ModelPartition.Classify(architecture).Select(p => new Change(p.Name, p.Part,
                !TensorEquality.Same(before[p.Name], checkpoint["model." + p.Name]),
                !TensorEquality.Same(before[p.Name], exported[p.Name]))).ToList();
        }
        finally
        {
            Dispose(before);
            Dispose(checkpoint);
            Dispose(exported);
        }
    }

    private static void Dispose(IReadOnlyDictionary<string, Tensor> state)
    {
        foreach (var t in state.Values)
        {
            t.Dispose();
        }
    }

    private sealed record Change(string Name, ModelParts Part, bool InModel, bool InExport);
}
