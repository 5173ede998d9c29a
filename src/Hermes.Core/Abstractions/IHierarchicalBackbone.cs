using static TorchSharp.torch;

namespace Hermes.Abstractions;

/// <summary>
/// A hierarchical (encoder–decoder) 3D backbone that a <see cref="UniversalSegmenter"/> can fuse priors into.
/// </summary>
/// <remarks>
/// Implementations are TorchSharp modules. The segmenter registers the backbone's direct children under their own
/// names (so state-dict keys are <c>inc.…</c>, <c>down1.…</c> as in the reference), not under a <c>backbone.</c>
/// prefix. The backbone calls <see cref="IStageHook.AfterStage"/> after every stage in <see cref="Stages"/>.
/// </remarks>
public interface IHierarchicalBackbone
{
    /// <summary>Number of input image channels.</summary>
    int InputChannels { get; }

    /// <summary>Channels of the final feature map returned by <see cref="Forward"/>.</summary>
    int OutputChannels { get; }

    /// <summary>The stages, in execution order, with their output channels and strides.</summary>
    IReadOnlyList<BackboneStage> Stages { get; }

    /// <summary>
    /// Throws <see cref="ArgumentException"/> naming the problem when a spatial size <c>(D, H, W)</c> cannot run through
    /// this backbone (for example a bottleneck of a single voxel, or a size not divisible by the required stride).
    /// </summary>
    /// <param name="spatialSize">The input's spatial size (D, H, W).</param>
    void ValidateSpatialSize(ReadOnlySpan<long> spatialSize);

    /// <summary>Runs the backbone and returns the final feature map <c>[B, OutputChannels, D, H, W]</c>.</summary>
    /// <param name="input">Image batch <c>[B, InputChannels, D, H, W]</c>.</param>
    /// <param name="hook">The segmenter's hook, called after each stage.</param>
    Tensor Forward(Tensor input, IStageHook hook);
}
