using Hermes.Abstractions;
using Hermes.DependencyInjection;
using Hermes.Training;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Hermes.Core.Tests.DependencyInjection;

/// <summary>
/// Every <see cref="HermesOptions"/> field is validated at start-up (<c>ValidateOnStart</c>) with a message naming the
/// option by its configuration path; valid options pass; named options are validated under their own name.
/// </summary>
public sealed class HermesOptionsValidationTests
{
    private static ServiceProvider Build(Action<HermesOptions> configure, string? name = null)
    {
        var services = new ServiceCollection();
        var builder = name is null ? services.AddHermes(configure) : services.AddHermes(name, configure);
        builder.AddBackbone<NamedArchitecture>().UseBackbone("stride8");
        return services.BuildServiceProvider();
    }

    private static OptionsValidationException StartUpFails(Action<HermesOptions> configure, string? name = null)
    {
        using var provider = Build(configure, name);
        return Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
    }

    [Fact]
    public void ValidOptionsPassStartUpValidation()
    {
        using var provider = Build(o =>
        {
            o.PatchSize = [64, 96, 128];
            o.Tasks = ["amos/liver", "kits/kidney"];
            o.Training.Datasets = ["amos_ct"];
        });
        provider.GetRequiredService<IStartupValidator>().Validate();
        var options = provider.GetRequiredService<IOptions<HermesOptions>>().Value;
        Assert.Equal("stride8", options.Backbone); // UseBackbone fills an unset backbone
        Assert.Equal([64, 96, 128], options.PatchSize);
    }

    public static TheoryData<string, string> InvalidOptions => new()
    {
        { "Backbone=nnunet", "Hermes:Backbone = 'nnunet' is invalid: expected one of stride8" },
        { "InputChannels=0", "Hermes:InputChannels = 0 is invalid: expected ≥ 1" },
        { "BaseChannels=-4", "Hermes:BaseChannels = -4 is invalid: expected ≥ 1" },
        { "PatchSize=60", "Hermes:PatchSize = [60, 64, 64] is invalid: every size must be a multiple of the stride8 stride 8 and at least 16" },
        { "PatchSize=short", "Hermes:PatchSize = [64, 64] is invalid: expected three sizes" },
        { "PatchSize=4096", "Hermes:PatchSize = [4096, 4096, 4096] is invalid: at most 1024 a side and 134217728 voxels in all" },
        { "PatchSize=1024x1024x256", "Hermes:PatchSize = [1024, 1024, 256] is invalid: at most 1024 a side and 134217728 voxels in all" },
        { "Tasks=amos/lung", "Hermes:Tasks = 'amos/lung' is invalid: unknown task name" },
        { "Weights=missing", "Hermes:Weights = '/nonexistent/model.safetensors' is invalid: the file does not exist" },
        { "Training:Optimizer=7", "Hermes:Training:Optimizer = 7 is invalid: expected lamb or adamw" },
        { "Training:LearningRate=0", "Hermes:Training:LearningRate = 0 is invalid" },
        { "Training:WarmupEpochs=-1", "Hermes:Training:WarmupEpochs = -1 is invalid" },
        { "Training:Epochs=0", "Hermes:Training:Epochs = 0 is invalid" },
        { "Training:StepsPerEpoch=0", "Hermes:Training:StepsPerEpoch = 0 is invalid" },
        { "Training:BatchSize=0", "Hermes:Training:BatchSize = 0 is invalid" },
        { "Training:EmaDecay=1", "Hermes:Training:EmaDecay = 1 is invalid" },
        { "Training:Manifest=missing", "Hermes:Training:Manifest = '/nonexistent/manifest.tsv' is invalid: the file does not exist" },
        { "Training:Datasets=unknown", "Hermes:Training:Datasets = 'my_private_set' is invalid: unknown dataset" },
        { "Inference:Overlap=1", "Hermes:Inference:Overlap = 1 is invalid: expected a value in [0, 1)" },
        { "Inference:WindowsPerBatch=0", "Hermes:Inference:WindowsPerBatch = 0 is invalid" },
        { "Inference:Threshold=-0.1", "Hermes:Inference:Threshold = -0.1 is invalid" },
    };

    [Theory]
    [MemberData(nameof(InvalidOptions))]
    public void EachInvalidOptionFailsAtStartUpNamingTheOption(string change, string expected)
    {
        var error = StartUpFails(o => Apply(o, change));
        Assert.Single(error.Failures);
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ConfigurationSectionIsBoundAndValidated()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Hermes:Backbone"] = "stride8",
            ["Hermes:BaseChannels"] = "-1",
            ["Hermes:PatchSize:0"] = "32",
            ["Hermes:PatchSize:1"] = "32",
            ["Hermes:PatchSize:2"] = "36",
            ["Hermes:Training:BatchSize"] = "4",
        }).Build();
        var services = new ServiceCollection();
        services.AddHermes(configuration).AddBackbone<NamedArchitecture>();
        using var provider = services.BuildServiceProvider();
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains("Hermes:BaseChannels = -1", error.Message, StringComparison.Ordinal);
        Assert.Contains("Hermes:PatchSize = [32, 32, 36]", error.Message, StringComparison.Ordinal);
        Assert.Equal(2, error.Failures.Count());
    }

    [Theory]
    [InlineData("adamw", OptimizerKind.AdamW)]
    [InlineData("AdamW", OptimizerKind.AdamW)]
    [InlineData("lamb", OptimizerKind.Lamb)]
    [InlineData(null, OptimizerKind.Lamb)]
    public void OptimizerIsNamedInConfiguration(string? configured, OptimizerKind expected)
    {
        using var provider = FromConfiguration(("Hermes:Training:Optimizer", configured));
        provider.GetRequiredService<IStartupValidator>().Validate();
        Assert.Equal(expected, provider.GetRequiredService<IOptions<HermesOptions>>().Value.Training.Optimizer);
    }

    /// <summary>The binder would throw its own InvalidOperationException for these; the options report them by path.</summary>
    [Theory]
    [InlineData("sgd")]
    [InlineData("1")]
    [InlineData("")]
    public void AnUnknownOptimizerNameIsReportedByItsPath(string configured)
    {
        using var provider = FromConfiguration(("Hermes:Training:Optimizer", configured));
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.Equal($"Hermes:Training:Optimizer = '{configured}' is invalid: expected lamb or adamw.", Assert.Single(error.Failures));
    }

    [Fact]
    public void NamedOptionsAreValidatedUnderTheirName()
    {
        var services = new ServiceCollection();
        services.AddHermes("ct", o => o.PatchSize = [64, 64, 64]).AddBackbone<NamedArchitecture>().UseBackbone("stride8");
        services.AddHermes("mr", o => o.PatchSize = [64, 64, 70]).UseBackbone("stride8");
        using var provider = services.BuildServiceProvider();
        var error = Assert.Throws<OptionsValidationException>(() => provider.GetRequiredService<IStartupValidator>().Validate());
        Assert.Contains("Hermes[mr]:PatchSize = [64, 64, 70]", error.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("Hermes[ct]", error.Message, StringComparison.Ordinal);
        var monitor = provider.GetRequiredService<IOptionsMonitor<HermesOptions>>();
        Assert.Equal([64, 64, 64], monitor.Get("ct").PatchSize);
    }

    private static ServiceProvider FromConfiguration(params (string Key, string? Value)[] values)
    {
        var settings = new Dictionary<string, string?> { ["Hermes:Backbone"] = "stride8", ["Hermes:PatchSize:0"] = "32", ["Hermes:PatchSize:1"] = "32", ["Hermes:PatchSize:2"] = "32" };
        foreach (var (key, value) in values.Where(v => v.Value is not null))
        {
            settings[key] = value;
        }

        var services = new ServiceCollection();
        services.AddHermes(new ConfigurationBuilder().AddInMemoryCollection(settings).Build()).AddBackbone<NamedArchitecture>();
        return services.BuildServiceProvider();
    }

    private static void Apply(HermesOptions o, string change)
    {
        switch (change)
        {
            case "Backbone=nnunet": o.Backbone = "nnunet"; break;
            case "InputChannels=0": o.InputChannels = 0; break;
            case "BaseChannels=-4": o.BaseChannels = -4; break;
            case "PatchSize=60": o.PatchSize = [60, 64, 64]; break;
            case "PatchSize=short": o.PatchSize = [64, 64]; break;
            case "PatchSize=4096": o.PatchSize = [4096, 4096, 4096]; break;
            case "PatchSize=1024x1024x256": o.PatchSize = [1024, 1024, 256]; break;
            case "Tasks=amos/lung": o.Tasks = ["amos/liver", "amos/lung"]; break;
            case "Weights=missing": o.Weights = "/nonexistent/model.safetensors"; break;
            case "Training:Optimizer=7": o.Training.Optimizer = (OptimizerKind)7; break;
            case "Training:LearningRate=0": o.Training.LearningRate = 0; break;
            case "Training:WarmupEpochs=-1": o.Training.WarmupEpochs = -1; break;
            case "Training:Epochs=0": o.Training.Epochs = 0; break;
            case "Training:StepsPerEpoch=0": o.Training.StepsPerEpoch = 0; break;
            case "Training:BatchSize=0": o.Training.BatchSize = 0; break;
            case "Training:EmaDecay=1": o.Training.EmaDecay = 1; break;
            case "Training:Manifest=missing": o.Training.Manifest = "/nonexistent/manifest.tsv"; break;
            case "Training:Datasets=unknown": o.Training.Datasets = ["amos_ct", "my_private_set"]; break;
            case "Inference:Overlap=1": o.Inference.Overlap = 1; break;
            case "Inference:WindowsPerBatch=0": o.Inference.WindowsPerBatch = 0; break;
            case "Inference:Threshold=-0.1": o.Inference.Threshold = -0.1; break;
            default: throw new ArgumentOutOfRangeException(nameof(change), change, null);
        }
    }
}
