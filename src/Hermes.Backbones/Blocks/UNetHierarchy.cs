using Hermes.Abstractions;

namespace Hermes.Backbones.Blocks;

/// <summary>
/// The stage skeleton ResUNet and MedFormer share: an input stage <c>inc</c> at full resolution, four encoder stages
/// <c>down1</c>…<c>down4</c> that each halve every axis (1/16 at the bottleneck) and four decoder stages <c>up1</c>…<c>up4</c>
/// back to full resolution. The stage names are the state-dict prefixes of the reference checkpoints.
/// </summary>
internal static class UNetHierarchy
{
    /// <summary>The total downsampling of the bottleneck: four stride-2 stages.</summary>
    public const int BottleneckStride = 16;

    /// <summary>The nine stages in execution order.</summary>
    /// <param name="encoderChannels">Output widths of <c>inc</c>, <c>down1</c>…<c>down4</c> (5 values).</param>
    /// <param name="decoderChannels">Output widths of <c>up1</c>…<c>up4</c> (4 values).</param>
    public static BackboneStage[] Stages(IReadOnlyList<int> encoderChannels, IReadOnlyList<int> decoderChannels)
    {
        if (encoderChannels.Count != 5 || decoderChannels.Count != 4)
        {
            throw new ArgumentException($"A four-level U-Net has 5 encoder and 4 decoder widths; got {encoderChannels.Count} and {decoderChannels.Count}.");
        }

        var stages = new BackboneStage[9];
        stages[0] = new("inc", StageKind.Encoder, encoderChannels[0], 1);
        for (var level = 1; level <= 4; level++)
        {
            stages[level] = new($"down{level}", StageKind.Encoder, encoderChannels[level], 1 << level);
            stages[4 + level] = new($"up{level}", StageKind.Decoder, decoderChannels[level - 1], BottleneckStride >> level);
        }

        return stages;
    }

    /// <summary>
    /// Checks that a spatial size survives the four halvings: each axis ≥ 16 (and a multiple of 16 where
    /// <paramref name="exactHalvings"/>, as patch merging needs), and the 1/16 bottleneck holds more than one voxel
    /// (instance normalisation needs ≥ 2 spatial elements).
    /// </summary>
    /// <param name="backbone">The backbone's name, for messages.</param>
    /// <param name="spatialSize">(D, H, W).</param>
    /// <param name="exactHalvings">Whether every axis must be divisible by 16 (patch merging) rather than floor-halved (max-pooling).</param>
    /// <exception cref="ArgumentException">The size does not fit, with the rule it breaks.</exception>
    public static void ValidateSpatialSize(string backbone, ReadOnlySpan<long> spatialSize, bool exactHalvings)
    {
        if (spatialSize.Length != 3)
        {
            throw new ArgumentException($"{backbone} needs a 3-D spatial size (D, H, W); got {spatialSize.Length} axes.");
        }

        var text = string.Join(", ", spatialSize.ToArray());
        long bottleneck = 1;
        foreach (var s in spatialSize)
        {
            if (s < BottleneckStride || (exactHalvings && s % BottleneckStride != 0))
            {
                throw new ArgumentException(exactHalvings
                    ? $"Spatial size ({text}) is not valid for {backbone}: every axis must be a positive multiple of 16 (four 2× patch mergings); pad the input."
                    : $"Spatial size ({text}) is too small for {backbone}: every axis must be ≥ 16 to survive four 2× max-poolings.");
            }

            bottleneck *= s / BottleneckStride;
        }

        if (bottleneck < 2)
        {
            throw new ArgumentException(
                $"Spatial size ({text}) gives a 1/16 bottleneck of a single voxel, which InstanceNorm rejects; use e.g. ≥ 32 voxels on some axis.");
        }
    }
}
