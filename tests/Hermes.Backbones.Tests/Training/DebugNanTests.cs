using static TorchSharp.torch;
namespace Hermes.Backbones.Tests.Training;
public sealed class DebugNanTests
{
    [Fact]
    public void Probe()
    {
        var source = new SyntheticBatchSource(seed: 7);
        using var batch = source.Batch(0);
        Console.WriteLine($"image nan {batch.Image.isnan().any().item<bool>()} labels {batch.Labels.sum().item<long>()} tasks {string.Join(",", batch.TaskIndices.data<long>().ToArray())}");
        using var model = TrainingFixture.SmallHermesR(1);
        model.train();
        using var output = model.Forward(batch.Image, batch.TaskIndices, batch.Modality, (name, t) => Console.WriteLine($"{name} [{string.Join(",", t.shape)}] nan={t.isnan().any().item<bool>()}"));
        Console.WriteLine($"logits nan {output.Logits.isnan().any().item<bool>()}");
        var input = new Hermes.Abstractions.LossInput(output.Logits, batch.Labels, batch.TaskIndices, output.ModalityLogits, batch.Modality, output.AuxiliaryLogits);
        Console.WriteLine($"bce nan {new Hermes.Priors.Losses.MaskedBinaryCrossEntropyLoss(4).Compute(input).item<float>()}");
        Console.WriteLine($"dice nan {new Hermes.Priors.Losses.AdaptiveBinaryDiceLoss(4).Compute(input).item<float>()}");
        foreach (var (t, w) in TrainingFixture.Loss()) Console.WriteLine($"term {t.Name} nan {t.Compute(input).item<float>()}");
        using var lamb = new Hermes.Training.LambOptimizer(model.parameters());
        using var average = TrainingFixture.SmallHermesR(2);
        using var trainer = new Hermes.Training.Trainer(model, TrainingFixture.Loss(), lamb, new Hermes.Training.TrainerOptions { Epochs = 1, StepsPerEpoch = 3 }, null, average);
        for (var k = 0; k < 2; k++)
        {
            using var b = source.Batch(k);
            Console.WriteLine($"batch {k} tasks {string.Join(",", b.TaskIndices.data<long>().ToArray())} labels {string.Join(",", b.Labels.sum([0, 2, 3, 4]).data<long>().ToArray())}");
            var r = trainer.TrainStep(b);
            Console.WriteLine($"trainer nan {r.Loss} {string.Join(",", r.Terms)}");
        }
        Assert.Fail("probe");
    }
}
