using System.Text.Json.Nodes;
using Hermes.Training;
using static TorchSharp.torch;

namespace Hermes.Backbones.Tests.Training;

public sealed class TrainingResumeTests : IDisposable
{
    private readonly string folder = Directory.CreateTempSubdirectory("hermes-resume-").FullName;

    public void Dispose() => Directory.Delete(folder, recursive: true);

    [Fact]
    public async Task ResumedRunReproducesTheUninterruptedRun()
    {
        const int total = 6;
        const int split = 4; // mid-epoch: epoch 1, step 1 of 3
        var source = new SyntheticBatchSource(seed: 7);
        using var validation = source.Batch(10_000);

        // Uninterrupted run.
        var straight = new TrainingFixture.ListProgress();
        float[] straightWeights, straightEma;
        var straightLog = Path.Combine(folder, "straight.jsonl");
        using (var model = TrainingFixture.SmallHermesR(1))
        using (var average = TrainingFixture.SmallHermesR(2))
        using (var trainer = NewTrainer(model, average, validation, straightLog, Path.Combine(folder, "straight")))
        {
            await trainer.RunAsync(source, straight);
            Assert.Equal(total, trainer.Step);
            straightWeights = Flatten(model);
            straightEma = Flatten(average);
        }

        // Interrupted run: N steps, checkpoint, then a fresh trainer with a differently initialised model resumes.
        var checkpoint = Path.Combine(folder, "interrupted.safetensors");
        var first = new TrainingFixture.ListProgress();
        using (var model = TrainingFixture.SmallHermesR(1))
        using (var average = TrainingFixture.SmallHermesR(2))
        using (var trainer = NewTrainer(model, average, validation, null, null))
        {
            await trainer.RunAsync(source, first, untilStep: split);
            trainer.SaveCheckpoint(checkpoint);
        }

        var second = new TrainingFixture.ListProgress();
        float[] resumedWeights, resumedEma;
        using (var model = TrainingFixture.SmallHermesR(99))
        using (var average = TrainingFixture.SmallHermesR(98))
        using (var trainer = NewTrainer(model, average, validation, null, null))
        {
            trainer.LoadCheckpoint(checkpoint);
            Assert.Equal(split, trainer.Step);
            Assert.Equal(1, trainer.Epoch);
            Assert.False(double.IsNaN(trainer.BestMeanDice)); // epoch 0 was validated before the checkpoint
            await trainer.RunAsync(source, second);
            resumedWeights = Flatten(model);
            resumedEma = Flatten(average);
        }

        var expected = straight.Steps.Select(p => p.Loss).ToArray();
        var actual = first.Steps.Concat(second.Steps).Select(p => p.Loss).ToArray();
        Assert.Equal(total, expected.Length);
        Assert.Equal(total, actual.Length);
        for (var i = 0; i < total; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-6, $"step {i}: uninterrupted loss {expected[i]:R}, resumed {actual[i]:R}");
        }

        Assert.True(expected.Distinct().Count() == total, "the losses should differ from step to step");
        AssertClose(straightWeights, resumedWeights, "weights");
        AssertClose(straightEma, resumedEma, "EMA weights");

        // The metrics log holds one line per step, per epoch and per validation, each a JSON object.
        var lines = File.ReadAllLines(straightLog).Select(l => JsonNode.Parse(l)!.AsObject()).ToArray();
        Assert.Equal(total, lines.Count(l => (string)l["kind"]! == "step"));
        Assert.Equal(2, lines.Count(l => (string)l["kind"]! == "epoch"));
        Assert.Equal(2, lines.Count(l => (string)l["kind"]! == "validation"));
        Assert.Equal(expected[^1], (double)lines.Last(l => (string)l["kind"]! == "step")["loss"]!);
        Assert.True(File.Exists(Path.Combine(folder, "straight", "latest.safetensors")));
        Assert.True(File.Exists(Path.Combine(folder, "straight", "best.safetensors")));
    }

    [Fact]
    public void CheckpointOfAnotherVocabularyIsRejected()
    {
        var checkpoint = Path.Combine(folder, "vocab.safetensors");
        using (var model = TrainingFixture.SmallHermesR(1))
        using (var trainer = NewTrainer(model, null, null, null, null))
        {
            trainer.SaveCheckpoint(checkpoint);
        }

        using var other = TrainingFixture.SmallHermesR(1);
        using var lamb = new LambOptimizer(other.parameters());
        using var mismatched = new Trainer(other, TrainingFixture.Loss(), lamb,
            Options(null, null) with { Tasks = ["ct_liver", "ct_tumour", "mr_brain"] });
        var e = Assert.Throws<InvalidDataException>(() => mismatched.LoadCheckpoint(checkpoint));
        Assert.Contains("tasks", e.Message, StringComparison.Ordinal);
        Assert.Contains("mr_hippocampus", e.Message, StringComparison.Ordinal);
    }

    private static TrainerOptions Options(string? log, string? checkpoints) => new()
    {
        Epochs = 2,
        StepsPerEpoch = 3,
        Seed = 5,
        ValidateEveryEpochs = 1,
        ValidateLastEpochs = 0,
        MetricsLogPath = log,
        CheckpointDirectory = checkpoints,
        Tasks = ["ct_liver", "ct_tumour", "mr_hippocampus"],
        Modalities = ["CT", "MR"],
    };

    private static Trainer NewTrainer(Hermes.Abstractions.UniversalSegmenter model, Hermes.Abstractions.UniversalSegmenter? average,
        Hermes.Data.TrainingBatch? validation, string? log, string? checkpoints)
    {
        var lamb = new LambOptimizer(model.parameters(), new LambOptions { LearningRate = 0.01 });
        var schedule = new WarmupDecaySchedule(new WarmupDecayOptions
        {
            BaseLearningRate = 0.01, WarmupEpochs = 1, TotalEpochs = 2, StepsPerEpoch = 3, PerEpoch = false,
        });
        return new Trainer(model, TrainingFixture.Loss(), lamb, Options(log, checkpoints), schedule, average,
            validation is null ? null : new PatchDiceValidator([validation]));
    }

    private static float[] Flatten(Hermes.Abstractions.UniversalSegmenter model)
    {
        using var scope = NewDisposeScope();
        return cat(model.parameters().Select(p => p.detach().flatten()).ToArray()).data<float>().ToArray();
    }

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        var worst = expected.Zip(actual, (a, b) => Math.Abs(a - b)).Max();
        Assert.True(worst <= 1e-6, $"{what}: largest difference {worst}");
    }
}
