using Hermes.Backbones.DependencyInjection;
using Hermes.Data;
using Hermes.DependencyInjection;
using Hermes.Training;
using Hermes.Transfer;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static TorchSharp.torch;

namespace Hermes.Cli.Tests.DependencyInjection;

/// <summary>
/// <see cref="ITrainerFactory.CreateFineTuning"/>: the trainer steps a <see cref="FineTuneOptimizer"/> of the configured
/// kind over the trainable parts only (the backbone in its own group at its scaled rate), and frozen parameters stay
/// bit-identical in the model and in its weight EMA (after one step; the EMA's averaging of frozen parameters over
/// several steps is covered by <c>FineTuneCommandTests</c> and <c>ExponentialMovingAverageTests</c>).
/// </summary>
public sealed class FineTuneTrainerFactoryTests
{
    [Theory]
    [InlineData("priors")]
    [InlineData("full")]
    public void FineTuningTrainerFreezesAndGroupsTheOptimiser(string mode)
    {
        var services = new ServiceCollection();
        services.AddHermes(o =>
        {
            o.BaseChannels = 8;
            o.PatchSize = [32, 32, 32];
            o.Training.EmaDecay = 0.9;
            o.Training.LearningRate = 0.01;
            o.Training.WarmupEpochs = 0;
        }).UseResUNet();
        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();
        manual_seed(2);
        using var model = provider.GetRequiredService<ISegmenterFactory>().Create();
        var before = model.named_parameters().ToDictionary(p => p.name, p => p.parameter.detach().clone());
        var options = mode == "priors" ? FineTuneOptions.PriorsOnly : FineTuneOptions.Full(0.1);

        using var trainer = provider.GetRequiredService<ITrainerFactory>().CreateFineTuning(model, options);
        using var optimizer = trainer.Optimizer;
        using var average = trainer.AverageModel;
        var fineTune = Assert.IsType<FineTuneOptimizer>(trainer.Optimizer);
        Assert.Equal("finetune-lamb", fineTune.Name);
        var parts = ModelPartition.Classify(model);
        if (mode == "priors")
        {
            Assert.Equal([("all", parts.Count(p => p.Part == ModelParts.Priors), 1.0)], fineTune.Groups);
        }
        else
        {
            Assert.Equal([("main", parts.Count(p => p.Part != ModelParts.Backbone), 1.0), ("backbone", parts.Count(p => p.Part == ModelParts.Backbone), 0.1)],
                fineTune.Groups);
        }

        var liver = provider.GetRequiredService<TaskCatalog>().Vocabulary.TaskIndex("amos/liver");
        using (var scope = NewDisposeScope())
        {
            var image = randn([1, 1, 32, 32, 32]);
            using var batch = new TrainingBatch(image, image.gt(0.5).to(ScalarType.Int8), tensor(new long[] { liver }, [1, 1]), tensor(new long[] { 0 }));
            Assert.True(double.IsFinite(trainer.TrainStep(batch).Loss));
        }

        Assert.Equal(0.01, fineTune.LearningRate, 12);
        var ema = average!.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        foreach (var (name, parameter, part) in parts)
        {
            var trains = options.Trainable.HasFlag(part);
            Assert.Equal(trains, parameter.requires_grad);
            if (!trains)
            {
                Assert.True(before[name].allclose(parameter, 0, 0), $"{name} ({part}) is frozen but changed");
                Assert.True(before[name].allclose(ema[name], 0, 0), $"{name} ({part}) is frozen but its EMA differs");
            }
        }

        foreach (var part in new[] { ModelParts.Priors, ModelParts.Heads, ModelParts.Backbone }.Where(p => options.Trainable.HasFlag(p)))
        {
            Assert.Contains(parts, p => p.Part == part && !before[p.Name].allclose(p.Parameter, 0, 0));
        }
    }
}
