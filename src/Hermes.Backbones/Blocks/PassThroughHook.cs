using Hermes.Abstractions;
using static TorchSharp.torch;

namespace Hermes.Backbones.Blocks;

/// <summary>A stage hook that inserts nothing: runs a hierarchical backbone on its own.</summary>
public sealed class PassThroughHook : IStageHook
{
    private PassThroughHook()
    {
    }

    /// <summary>The shared instance.</summary>
    public static PassThroughHook Instance { get; } = new();

    /// <inheritdoc/>
    /// <remarks>No priors: throws when a backbone that fuses priors internally asks for them.</remarks>
    public PriorRequest Priors => throw new InvalidOperationException(
        "This backbone fuses priors inside its stages; run it through a UniversalSegmenter with task and modality indices.");

    /// <inheritdoc/>
    public Tensor AfterStage(BackboneStage stage, Tensor features) => features;

    /// <inheritdoc/>
    public void AddPosterior(Tensor posterior)
    {
    }

    /// <inheritdoc/>
    public void Observe(string name, Tensor value)
    {
    }
}
