using Hermes.Abstractions;
using Hermes.DependencyInjection;

namespace Hermes.Backbones.DependencyInjection;

/// <summary>Hermes-R (ResUNet backbone with the stock priors and heads) as the architecture <c>resunet</c>.</summary>
public sealed class ResUNetArchitecture : IModelArchitecture
{
    /// <summary>The architecture name: <c>resunet</c>.</summary>
    public const string ArchitectureName = "resunet";

    /// <inheritdoc />
    public string Name => ArchitectureName;

    /// <summary>16: four stride-2 stages.</summary>
    public int Stride => 16;

    /// <summary>32: the 1/16 bottleneck needs at least 2 voxels per axis (instance normalisation).</summary>
    public int MinimumPatchSize => 32;

    /// <inheritdoc />
    public UniversalSegmenter Create(HermesOptions options, int taskCount, int modalityCount)
    {
        ArgumentNullException.ThrowIfNull(options);
        return HermesR.Create(new HermesROptions
        {
            Backbone = new ResUNetOptions { InputChannels = options.InputChannels, BaseChannels = options.BaseChannels },
            TaskCount = taskCount,
            ModalityCount = modalityCount,
        });
    }
}
