namespace Hermes.Experiments;

/// <summary>The network of an experiment.</summary>
public sealed record ModelSettings
{
    /// <summary>The universal Hermes-R (ResUNet backbone with task and modality priors).</summary>
    public const string HermesR = Hermes.Backbones.HermesModelFactory.HermesRName;

    /// <summary>The plain ResUNet with a fixed 1×1×1 class head (<c>TaskSpecificSegmenter.ResUNet</c>).</summary>
    public const string TaskSpecificResUNet = "task-specific-resunet";

    /// <summary><see cref="HermesR"/> or <see cref="TaskSpecificResUNet"/>.</summary>
    public string Kind { get; init; } = HermesR;

    /// <summary>Backbone base width (32 in the published Hermes-R).</summary>
    public int BaseChannels { get; init; } = 16;

    /// <summary>Training patch and inference window (D, H, W) in voxels; multiples of the stride 16.</summary>
    public IReadOnlyList<int> PatchSize { get; init; } = [32, 48, 32];
}
