using Hermes.Abstractions;
using Hermes.Backbones.Tests.Training;
using Hermes.Priors.Losses;
using Hermes.Testing;
using Hermes.Training;
using Hermes.Transfer;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hermes.Backbones.Tests.Transfer;

public sealed class FineTuneFreezingTests
{
    public static TheoryData<string> Modes => new() { "priors", "priors+heads", "full" };

    [Theory]
    [MemberData(nameof(Modes))]
    public async Task FrozenParametersStayBitIdenticalAndTrainableOnesChange(string mode)
    {
        var options = mode switch
        {
            "priors" => FineTuneOptions.PriorsOnly,
            "priors+heads" => FineTuneOptions.PriorsAndHeads,
            _ => FineTuneOptions.Full(0.1),
        };
        using var model = ExtensionFixture.SmallR(4, 3, seed: 21, baseChannels: 8);
        var before = ExtensionFixture.Snapshot(model);
        var groupOptimizers = new List<ITrainingOptimizer>();
        using var optimizer = FineTuning.Prepare(model, options, p =>
        {
            var o = new LambOptimizer(p, new LambOptions { LearningRate = 0.02, MaxGradNorm = double.PositiveInfinity });
            groupOptimizers.Add(o);
            return o;
        });
        var parts = ModelPartition.Classify(model);
        var trainable = parts.Where(p => options.Trainable.HasFlag(p.Part)).ToList();
        var frozen = parts.Where(p => !options.Trainable.HasFlag(p.Part)).ToList();

        // Frozen: requires_grad off and not handed to the optimiser; trainable: both on.
        Assert.All(frozen, p => Assert.False(p.Parameter.requires_grad, p.Name));
        Assert.All(trainable, p => Assert.True(p.Parameter.requires_grad, p.Name));
        var optimised = optimizer.Parameters.ToHashSet(ReferenceEqualityComparer.Instance);
        Assert.Equal(trainable.Count, optimised.Count);
        Assert.All(trainable, p => Assert.Contains(p.Parameter, optimised));
        Assert.Contains(parts, p => p.Part == ModelParts.Priors);
        Assert.Contains(parts, p => p.Part == ModelParts.Heads && p.Name.StartsWith("out.", StringComparison.Ordinal));
        Assert.Contains(parts, p => p.Part == ModelParts.Backbone && p.Name.StartsWith("prior_init_fuse_2.attn_layers", StringComparison.Ordinal));

        var source = new OrganBatchSource(organB: false, taskId: 0, seed: 3);
        var trainerOptions = new TrainerOptions { Epochs = 1, StepsPerEpoch = 3, ValidateEveryEpochs = 0, ValidateLastEpochs = 0 };
        using (var trainer = new Trainer(model, HermesLoss.Create(model.TaskCount).Terms, optimizer, trainerOptions))
        {
            await trainer.RunAsync(source);
            if (mode == "full")
            {
                Assert.Equal([0.02, 0.002], groupOptimizers.Select(o => o.LearningRate).ToArray(), new ToleranceComparer(1e-12));
                Assert.Equal(["main", "backbone"], optimizer.Groups.Select(g => g.Name));
            }
            else
            {
                Assert.Single(groupOptimizers);
            }
        }

        var after = model.state_dict();
        Assert.All(frozen, p => Assert.True(TensorEquality.Same(before[p.Name], after[p.Name]), $"frozen {p.Name} changed"));
        Assert.All(trainable, p => Assert.False(TensorEquality.Same(before[p.Name], after[p.Name]), $"trainable {p.Name} did not change"));
        if (mode != "full")
        {
            Assert.NotEmpty(frozen);
        }
    }

    [Fact]
    public async Task RestrictingPriorRowsKeepsOldTasksExactlyWhileTheNewTaskTrains()
    {
        using var model = ExtensionFixture.SmallR(4, 3, seed: 22, baseChannels: 8);
        var extended = VocabularyExtension.Extend(model, ExtensionFixture.Vocabulary(),
            new VocabularyExtensionPlan { Tasks = [new("pancreas")] }, ExtensionFixture.RBuilder(8, baseChannels: 8));
        using var bigger = extended.Model;
        var before = ExtensionFixture.Snapshot(bigger);
        using var optimizer = FineTuning.Prepare(bigger,
            FineTuneOptions.PriorsOnly with { TrainableTaskIds = extended.NewTaskIds, TrainableModalityIds = [] },
            p => new AdamWOptimizer(p, new AdamWOptions { LearningRate = 0.01, WeightDecay = 0.01 }));
        var source = new OrganBatchSource(organB: true, taskId: extended.NewTaskIds[0], seed: 4);
        var trainerOptions = new TrainerOptions { Epochs = 1, StepsPerEpoch = 3, ValidateEveryEpochs = 0, ValidateLastEpochs = 0 };
        using (var trainer = new Trainer(bigger, HermesLoss.Create(bigger.TaskCount).Terms, optimizer, trainerOptions))
        {
            await trainer.RunAsync(source);
        }

        var newRow = extended.NewTaskIds[0];
        foreach (var (name, value) in bigger.state_dict())
        {
            if (name.EndsWith("task_prior", StringComparison.Ordinal))
            {
                var rows = Enumerable.Range(0, (int)value.shape[0]).Where(r => r != newRow).Select(r => (long)r).ToArray();
                using var index = tensor(rows);
                Assert.True(TensorEquality.Same(before[name].index_select(0, index), value.index_select(0, index)), $"{name}: an old row moved");
                Assert.False(TensorEquality.Same(before[name][newRow], value[newRow]), $"{name}: the new row did not train");
            }
            else
            {
                Assert.True(TensorEquality.Same(before[name], value), $"{name} changed");
            }
        }
    }

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance;

        public int GetHashCode(double obj) => 0;
    }
}
