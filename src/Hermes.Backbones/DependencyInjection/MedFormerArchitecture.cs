using Hermes.Abstractions;
using Hermes.DependencyInjection;

namespace Hermes.Backbones.DependencyInjection;

/// <summary>Hermes-M (MedFormer backbone with the stock priors and heads) as the architecture <c>medformer</c>.</summary>
public sealed class MedFormerArchitecture : IModelArchitecture
{
    /// <summary>The architecture name: <c>medformer</c>.</summary>
    public const string ArchitectureName = "medformer";

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
        return HermesM.Create(new HermesMOptions
        {
            Backbone = new MedFormerOptions { InputChannels = options.InputChannels, BaseChannels = options.BaseChannels },
            TaskCount = taskCount,
            ModalityCount = modalityCount,
        });
    }
}
