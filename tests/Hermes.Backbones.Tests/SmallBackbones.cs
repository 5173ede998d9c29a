namespace Hermes.Backbones.Tests;

/// <summary>Backbone configurations small enough for unit tests (a few seconds a forward on 2 cores).</summary>
internal static class SmallBackbones
{
    /// <summary>A MedFormer with base 8, widths up to 80, one transformer block per attention stage and 8 map tokens.</summary>
    public static MedFormerOptions MedFormer() => new()
    {
        BaseChannels = 8,
        Channels = [16, 32, 64, 80, 64, 32, 16, 8],
        TransformerBlocks = [0, 1, 1, 1, 1, 1, 0, 0],
        Heads = [1, 1, 2, 2, 2, 1, 1, 1],
        MapSize = 8,
        FusionDepth = 1,
        FusionDim = 80,
        FusionHeads = 2,
    };
}
