using Hermes.Abstractions;
using Hermes.Backbones.DependencyInjection;
using Hermes.Data;
using Hermes.DependencyInjection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using static TorchSharp.torch;

namespace Hermes.Cli.Tests.DependencyInjection;

/// <summary>
/// Every public Hermes service resolves from the container, and the factories produce working objects: a model of the
/// configured size, a trainer whose step changes the weights, a predictor whose output has one channel per task; two named
/// models coexist with their own options.
/// </summary>
public sealed class HermesServiceRegistrationTests
{
    private static ServiceProvider Provider(Action<IServiceCollection>? extra = null)
    {
        var services = new ServiceCollection();
        services.AddHermes(o =>
        {
            o.BaseChannels = 4;
            o.PatchSize = [32, 32, 32];
            o.Tasks = ["amos/liver"];
            o.Training.EmaDecay = 0.9;
        }).UseResUNet();
        extra?.Invoke(services);
        var provider = services.BuildServiceProvider(new ServiceProviderOptions { ValidateOnBuild = true, ValidateScopes = true });
        provider.GetRequiredService<IStartupValidator>().Validate();
        return provider;
    }

    [Theory]
    [InlineData(typeof(ISegmenterFactory), typeof(SegmenterFactory))]
    [InlineData(typeof(ITrainerFactory), typeof(TrainerFactory))]
    [InlineData(typeof(IPredictorFactory), typeof(PredictorFactory))]
    [InlineData(typeof(ILossFactory), typeof(HermesLossFactory))]
    [InlineData(typeof(TaskCatalog), typeof(TaskCatalog))]
    [InlineData(typeof(IOptions<HermesOptions>), null)]
    [InlineData(typeof(IOptionsMonitor<HermesOptions>), null)]
    [InlineData(typeof(IValidateOptions<HermesOptions>), typeof(HermesOptionsValidator))]
    [InlineData(typeof(IModelArchitecture), typeof(ResUNetArchitecture))]
    public void PublicServiceResolves(Type service, Type? implementation)
    {
        using var provider = Provider();
        var instance = provider.GetRequiredService(service);
        if (implementation is not null)
        {
            Assert.IsType(implementation, instance);
        }
    }

    [Fact]
    public void FactoriesBuildAModelATrainerAndAPredictor()
    {
        using var provider = Provider();
        manual_seed(1);
        using var model = provider.GetRequiredService<ISegmenterFactory>().Create();
        var catalog = provider.GetRequiredService<TaskCatalog>();
        Assert.Equal(catalog.Vocabulary.Tasks.Count + 1, model.TaskCount); // 71 Hermes tasks + the pad id = 72
        Assert.Equal(72, model.TaskCount);
        Assert.Equal(catalog.Vocabulary.Modalities.Count + 1, model.ModalityCount); // 5 named modalities + the unknown slot = 6
        Assert.Equal(6, model.ModalityCount);
        Assert.Equal(4, model.Backbone.Stages[0].Channels);

        using var trainer = provider.GetRequiredService<ITrainerFactory>().Create(model);
        using var optimizer = trainer.Optimizer;
        using var average = trainer.AverageModel;
        Assert.Equal("lamb", trainer.Optimizer.Name);
        Assert.NotNull(trainer.AverageModel);
        var liver = catalog.Vocabulary.TaskIndex("amos/liver");
        using (var scope = NewDisposeScope())
        {
            var image = randn([1, 1, 32, 32, 32]);
            var labels = image.gt(0.5).to(ScalarType.Int8);
            using var batch = new Data.TrainingBatch(image.MoveToOuterDisposeScope(), labels.MoveToOuterDisposeScope(),
                tensor(new long[] { liver }, [1, 1]).MoveToOuterDisposeScope(), tensor(new long[] { 0 }).MoveToOuterDisposeScope());
            var before = model.parameters().Select(p => p.detach().clone()).ToList();
            var step = trainer.TrainStep(batch);
            Assert.True(double.IsFinite(step.Loss));
            var changed = model.parameters().Zip(before).Count(p => !p.First.detach().allclose(p.Second, 0, 0));
            Assert.True(changed > 0, "one training step did not change any weight");
        }

        var predictor = provider.GetRequiredService<IPredictorFactory>().Create(model);
        using var volume = randn([1, 40, 36, 32]);
        using var masks = predictor.PredictMasks(volume, ["amos/liver", "kits/kidney"], "CT");
        Assert.Equal(new long[] { 2, 40, 36, 32 }, masks.shape);
        Assert.Equal(ScalarType.Byte, masks.dtype);
    }

    [Fact]
    public void TwoNamedModelsHaveTheirOwnOptions()
    {
        var services = new ServiceCollection();
        services.AddHermes("small", o => { o.BaseChannels = 2; o.PatchSize = [32, 32, 32]; }).UseResUNet();
        services.AddHermes("wide", o => { o.BaseChannels = 6; o.PatchSize = [32, 32, 32]; }).UseResUNet();
        using var provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();
        var factory = provider.GetRequiredService<ISegmenterFactory>();
        using var small = factory.Create("small");
        using var wide = factory.Create("wide");
        Assert.Equal(2, small.Backbone.Stages[0].Channels);
        Assert.Equal(6, wide.Backbone.Stages[0].Channels);
    }

    [Fact]
    public void CustomLossReplacesTheDefaultLoss()
    {
        using var provider = Provider(s => new HermesBuilder(s, Options.DefaultName).AddLoss<ConstantLoss>());
        using var model = provider.GetRequiredService<ISegmenterFactory>().Create();
        var factory = provider.GetRequiredService<ITrainerFactory>();
        using var trainer = factory.Create(model);
        using var optimizer = trainer.Optimizer;
        using var average = trainer.AverageModel;
        using var image = randn([1, 1, 32, 32, 32]);
        using var batch = new Data.TrainingBatch(image.alias(), zeros([1, 1, 32, 32, 32], ScalarType.Int8), tensor(new long[] { 0 }, [1, 1]), tensor(new long[] { 0 }));
        var step = trainer.TrainStep(batch);
        Assert.Equal(["constant"], step.Terms.Keys.ToArray());
    }

    /// <summary>A loss term that is a differentiable function of the logits (their mean square), named "constant".</summary>
    private sealed class ConstantLoss : ILossTerm
    {
        public string Name => "constant";

        public Tensor Compute(LossInput input) => input.Logits.square().mean();
    }
}
