using System.Text.Json.Nodes;
using Hermes.Abstractions;
using Hermes.Backbones.Tests.Training;
using Hermes.Checkpoints;
using Hermes.Data;
using Hermes.Preprocessing;
using Hermes.Priors.Losses;
using Hermes.Testing;
using Hermes.Training;
using Hermes.Transfer;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Backbones.Tests.Transfer;

public sealed class IncrementalExtendTests(Xunit.Abstractions.ITestOutputHelper log)
{
    private static readonly VocabularyExtensionPlan Plan = new()
    {
        Tasks = [new("pancreas"), VocabularyAddition.Parse("spleen-copy=spleen")],
        Modalities = [VocabularyAddition.Parse("pet=ct")],
    };

    public static TheoryData<string> Architectures => new() { "hermes-r", "hermes-m" };

    [Theory]
    [MemberData(nameof(Architectures))]
    public void OldTasksGiveBitIdenticalOutputsRightAfterExtension(string architecture)
    {
        var build = architecture == "hermes-r" ? ExtensionFixture.RBuilder(1) : ExtensionFixture.MBuilder(1);
        using var model = build(4, 3);
        model.eval();
        var extended = VocabularyExtension.Extend(model, ExtensionFixture.Vocabulary(), Plan, ExtensionFixture.RBuilderOrM(architecture, 99));
        using var bigger = extended.Model;

        // Ids: named tasks keep 0–2; new tasks take 3 and 4; the unused last id (old 3) moves to 5; the null row to 6.
        Assert.Equal([3L, 4L], extended.NewTaskIds);
        Assert.Equal(6, bigger.TaskCount);
        Assert.Equal(["liver", "spleen", "kidney", "pancreas", "spleen-copy"], extended.Vocabulary.Tasks);
        Assert.Equal([2L], extended.NewModalityIds); // before the unknown slot, which stays last (−1)
        Assert.Equal(4, bigger.ModalityCount);
        Assert.Equal(["ct", "mr", "pet"], extended.Vocabulary.Modalities);
        Assert.False(bigger.training);

        random.manual_seed(7);
        using var image = randn([2, 1, 32, 32, 32]);
        var requests = new[]
        {
            (new long[,] { { 0, 1, -1 }, { 2, -1, -1 } }, new long[] { 0, -1 }),
            (new long[,] { { 2, 0, -1 }, { 1, -1, -1 } }, new long[] { 1, 0 }),
        };
        foreach (var (tasks, modality) in requests.Take(architecture == "hermes-r" ? 2 : 1)) // Hermes-M is slow on a loaded CPU
        {
            using var before = model.forward(image, tensor(tasks), tensor(modality).unsqueeze(1));
            using var after = bigger.forward(image, tensor(tasks), tensor(modality).unsqueeze(1));
            Assert.True(TensorEquality.Same(before.Logits, after.Logits), "old-task logits changed");
            Assert.Equal(before.AuxiliaryLogits.Count, after.AuxiliaryLogits.Count);
            for (var i = 0; i < before.AuxiliaryLogits.Count; i++)
            {
                Assert.True(TensorEquality.Same(before.AuxiliaryLogits[i], after.AuxiliaryLogits[i]), "auxiliary logits changed");
            }

            // Modality classes follow their ids: old 0, 1 and the slot (old 2, now 3).
            using var oldColumns = after.ModalityLogits!.index_select(1, tensor(new long[] { 0, 1, 3 }));
            Assert.True(before.ModalityLogits!.allclose(oldColumns, rtol: 0, atol: 1e-6),
                $"modality logits moved by {before.ModalityLogits.sub(oldColumns).abs().max().item<float>()}");
        }

        // A task initialised from another answers exactly like it (same rows everywhere); same for the modality.
        using var spleen = bigger.forward(image, tensor(new long[,] { { 1, -1 }, { 1, -1 } }), ExtensionFixture.Ids(0, 0));
        using var copy = bigger.forward(image, tensor(new long[,] { { 4, -1 }, { 4, -1 } }), ExtensionFixture.Ids(2, 2));
        Assert.True(TensorEquality.Same(spleen.Logits, copy.Logits));

        // Every prior table grew and keeps its old rows; the new random task differs from every old row.
        var old = model.state_dict();
        var tables = bigger.state_dict().Where(kv => kv.Key.EndsWith("task_prior", StringComparison.Ordinal)).ToList();
        Assert.Equal(architecture == "hermes-r" ? 5 : 5, tables.Count);
        foreach (var (name, table) in tables)
        {
            var was = old[name];
            Assert.True(TensorEquality.Same(table[..3], was[..3]), name);
            Assert.True(TensorEquality.Same(table[5], was[3]) && TensorEquality.Same(table[6], was[4]), name);
            Assert.True(TensorEquality.Same(table[4], was[1]), name);
            Assert.False(TensorEquality.Same(table[3], was[3]), name);
        }
    }

    [Fact]
    public void ExtendedModelSavesAndReloadsWithItsVocabulary()
    {
        using var model = ExtensionFixture.SmallR(4, 3, seed: 2);
        model.eval();
        var extended = VocabularyExtension.Extend(model, ExtensionFixture.Vocabulary(), Plan, ExtensionFixture.RBuilder(5));
        using var bigger = extended.Model;
        var sidecar = new ModelSidecar
        {
            Architecture = "hermes-r",
            ArchitectureOptions = new JsonObject { ["base_chan"] = 4, ["tn"] = 4, ["mn"] = 3 },
            Tasks = ExtensionFixture.Vocabulary().Tasks,
            Modalities = ExtensionFixture.Vocabulary().Modalities,
            Preprocessing = new SidecarPreprocessing([1.5, 1.5, 1.5],
                new Dictionary<string, IntensityNormalization> { ["ct"] = IntensityNormalization.Ct, ["mr"] = IntensityNormalization.PercentileClip },
                [32, 32, 32]),
        };
        var updated = VocabularyExtension.UpdateSidecar(sidecar, extended, Plan);
        var folder = Directory.CreateTempSubdirectory("hermes-extend-");
        try
        {
            var path = Path.Combine(folder.FullName, "extended.safetensors");
            CheckpointWriter.Save(path, bigger, updated);
            var (state, loadedSidecar) = CheckpointReader.Load(path);
            Assert.Equal(extended.Vocabulary.Tasks, loadedSidecar.Tasks);
            Assert.Equal(["ct", "mr", "pet"], loadedSidecar.Modalities);
            Assert.Equal(IntensityNormalization.Ct, loadedSidecar.Preprocessing.Normalization["pet"]);
            Assert.Equal(6, (int)loadedSidecar.ArchitectureOptions["tn"]!);
            Assert.Equal(4, (int)loadedSidecar.ArchitectureOptions["mn"]!);

            using var reloaded = ExtensionFixture.SmallR((int)loadedSidecar.ArchitectureOptions["tn"]!, (int)loadedSidecar.ArchitectureOptions["mn"]!, seed: 77);
            StateDictLoader.Load(reloaded, state);
            reloaded.eval();
            random.manual_seed(3);
            using var image = randn([1, 1, 32, 32, 32]);
            using var tasks = tensor(new long[,] { { 0, 3, -1 } });
            using var a = bigger.forward(image, tasks, ExtensionFixture.Ids(2));
            using var b = reloaded.forward(image, tasks, ExtensionFixture.Ids(2));
            Assert.True(TensorEquality.Same(a.Logits, b.Logits));
            foreach (var t in state.Values)
            {
                t.Dispose();
            }
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    [Fact]
    public void BadPlansAreRejectedWithTheName()
    {
        using var model = ExtensionFixture.SmallR(4, 3, seed: 2);
        var vocabulary = ExtensionFixture.Vocabulary();
        var taken = Assert.Throws<ArgumentException>(() => VocabularyExtension.Extend(model, vocabulary,
            new VocabularyExtensionPlan { Tasks = [new("spleen")] }, ExtensionFixture.RBuilder(1)));
        Assert.Contains("'spleen' already exists", taken.Message, StringComparison.Ordinal);
        var unknown = Assert.Throws<ArgumentException>(() => VocabularyExtension.Extend(model, vocabulary,
            new VocabularyExtensionPlan { Tasks = [VocabularyAddition.Parse("lung=heart")] }, ExtensionFixture.RBuilder(1)));
        Assert.Contains("'heart'", unknown.Message, StringComparison.Ordinal);
        Assert.Throws<FormatException>(() => VocabularyAddition.Parse("lung="));
        var wrong = Assert.Throws<InvalidOperationException>(() => VocabularyExtension.Extend(model, vocabulary,
            new VocabularyExtensionPlan { Tasks = [new("lung")] }, (tn, mn) => ExtensionFixture.SmallR(tn + 1, mn, 1)));
        Assert.Contains("tn = 5", wrong.Message, StringComparison.Ordinal);
    }

    [Theory]
    [Trait("Category", "Learning")]
    [InlineData(31)]
    [InlineData(32)]
    [InlineData(33)]
    public async Task NewTaskTrainsWithPriorsOnlyWhileTheOldTaskDiceHolds(int modelSeed)
    {
        // A model that knows organ A (task 0 "organ-a", CT) trains organ B as a new task by fine-tuning priors only: organ B's
        // cross-entropy on fixed held-out batches at least halves (and its total loss falls) while organ A's Dice stays where
        // it was. Organ B's prior rows start as copies of organ A's ("organ-b=organ-a"), so the model first segments organ A
        // where organ B is asked for: a start that is wrong by construction on every seed and kernel path. (From a random row
        // the start was a lottery: one path's random row already segmented organ B at Dice 0.40 and left nothing to halve;
        // the old check, "last 8 training losses < 0.85 × first 8" at a constant rate, failed by 0.004 for seed 33 with
        // LibTorch's forward.) Whether 40 priors-only steps make organ B segmentable is not asserted: its Dice stays 0 for
        // most seeds and paths — a kernel over a backbone trained for one organ only may not separate the other — so what
        // priors-only fine-tuning surely does is fit the new task's logits to what the backbone sees: its cross-entropy.
        // The rate decays to 0 (the reference's poly schedule); the losses are measured on held-out batches, not on the noisy
        // training batches. Measured on every forced kernel path (#21's notes): cross-entropy ratios 0.05–0.19.
        var vocabulary = new ModelVocabulary(["organ-a"], ["ct"]);
        using var model = ExtensionFixture.SmallR(2, 2, seed: modelSeed, baseChannels: 8);
        var organA = new OrganBatchSource(organB: false, taskId: 0, seed: 1);
        using (var adamW = new AdamWOptimizer(model.parameters(), new AdamWOptions { LearningRate = 3e-3, WeightDecay = 0, MaxGradNorm = 1.0 }))
        using (var trainer = new Trainer(model, HermesLoss.Create(model.TaskCount).Terms, adamW, Steps(PretrainSteps)))
        {
            await trainer.RunAsync(organA);
        }

        var extended = VocabularyExtension.Extend(model, vocabulary,
            new VocabularyExtensionPlan { Tasks = [VocabularyAddition.Parse("organ-b=organ-a")] }, ExtensionFixture.RBuilder(32, baseChannels: 8));
        using var bigger = extended.Model;
        var b = extended.NewTaskIds[0];
        Assert.Equal(1L, b);
        var validationA = Enumerable.Range(0, 2).Select(k => organA.Batch(1000 + k)).ToList();
        var organB = new OrganBatchSource(organB: true, taskId: b, seed: 2);
        var validationB = Enumerable.Range(0, 2).Select(k => organB.Batch(1000 + k)).ToList();
        try
        {
            var aBefore = DiceOf(model, validationA, 0);
            Assert.True(aBefore > 0.5, $"pre-training did not learn organ A (Dice {aBefore:F3})");
            Assert.Equal(aBefore, DiceOf(bigger, validationA, 0)); // extension alone changes nothing
            var bBefore = DiceOf(bigger, validationB, b);

            using var optimizer = FineTuning.Prepare(bigger, FineTuneOptions.PriorsOnly,
                p => new AdamWOptimizer(p, new AdamWOptions { LearningRate = 0.1, WeightDecay = 0 }));
            var progress = new TrainingFixture.ListProgress();
            var bLossBefore = LossOf(bigger, validationB);
            var decay = new WarmupDecaySchedule(new WarmupDecayOptions { BaseLearningRate = 0.1, WarmupEpochs = 0, TotalEpochs = FineTuneSteps, StepsPerEpoch = 1 });
            using (var trainer = new Trainer(bigger, HermesLoss.Create(bigger.TaskCount).Terms, optimizer, Steps(FineTuneSteps), decay))
            {
                await trainer.RunAsync(organB, progress);
            }

            var losses = string.Join(" ", progress.Steps.Select(p => p.Loss.ToString("F3", System.Globalization.CultureInfo.InvariantCulture)));

            var aAfter = DiceOf(bigger, validationA, 0);
            var bAfter = DiceOf(bigger, validationB, b);
            var bLossAfter = LossOf(bigger, validationB);
            var report = $"seed {modelSeed}: organ B held-out loss {bLossBefore.Total:F3} → {bLossAfter.Total:F3}, cross-entropy {bLossBefore.CrossEntropy:F3} → {bLossAfter.CrossEntropy:F3} ({bLossAfter.CrossEntropy / bLossBefore.CrossEntropy:F3}×), Dice {bBefore:F3} → {bAfter:F3}; organ A Dice {aBefore:F4} → {aAfter:F4}; training losses {losses}";
            log.WriteLine(report);
            Assert.True(bLossAfter.CrossEntropy < 0.5 * bLossBefore.CrossEntropy && bLossAfter.Total < bLossBefore.Total,
                $"organ B's held-out cross-entropy did not halve: {report}");
            Assert.True(Math.Abs(aAfter - aBefore) < 0.01,
                $"organ A's Dice moved by {aAfter - aBefore:+0.0000;-0.0000} ({aBefore:F4} → {aAfter:F4}); organ B {bBefore:F3} → {bAfter:F3}");
        }
        finally
        {
            validationA.Concat(validationB).ToList().ForEach(x => x.Dispose());
        }
    }

    private const int PretrainSteps = 30;
    private const int FineTuneSteps = 40;

    private static TrainerOptions Steps(int steps) =>
        new() { Epochs = 1, StepsPerEpoch = steps, ValidateEveryEpochs = 0, ValidateLastEpochs = 0 };

    /// <summary>
    /// The mean Hermes loss of <paramref name="model"/> on <paramref name="batches"/> and its cross-entropy term (evaluation
    /// mode, no gradients).
    /// </summary>
    private static (double Total, double CrossEntropy) LossOf(UniversalSegmenter model, IReadOnlyList<TrainingBatch> batches)
    {
        model.eval();
        using var noGrad = no_grad();
        using var scope = NewDisposeScope();
        var loss = HermesLoss.Create(model.TaskCount);
        var crossEntropy = new MaskedBinaryCrossEntropyLoss(model.TaskCount);
        double total = 0, ce = 0;
        foreach (var batch in batches)
        {
            using var output = model.forward(batch.Image, batch.TaskIndices, batch.Modality);
            var input = new LossInput(output.Logits, batch.Labels, batch.TaskIndices, output.ModalityLogits, batch.Modality, output.AuxiliaryLogits);
            total += loss.Compute(input).item<float>();
            ce += crossEntropy.Compute(input).item<float>();
        }

        return (total / batches.Count, ce / batches.Count);
    }

    private static double DiceOf(UniversalSegmenter model, IReadOnlyList<TrainingBatch> batches, long task)
    {
        model.eval();
        var report = new PatchDiceValidator(batches).Validate(model, CancellationToken.None);
        return report.TaskDice[task];
    }
}
