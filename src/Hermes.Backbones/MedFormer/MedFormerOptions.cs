namespace Hermes.Backbones;

/// <summary>Architecture options of the MedFormer backbone (Hermes-M; reference §6). Defaults are the published model.</summary>
/// <remarks>
/// Stage order of the per-stage lists: down1, down2, down3, down4, up1, up2, up3, up4. Stages down1, up3 and up4 are
/// convolutional (<see cref="ConvBlocks"/> &gt; 0, no transformer blocks); down2…up2 are attention stages.
/// </remarks>
public sealed record MedFormerOptions
{
    /// <summary>Input image channels (1).</summary>
    public int InputChannels { get; init; } = 1;

    /// <summary>Width of <c>inc</c> (32).</summary>
    public int BaseChannels { get; init; } = 32;

    /// <summary>Output width of each stage ([64, 128, 256, 320, 256, 128, 64, 32]).</summary>
    public IReadOnlyList<int> Channels { get; init; } = [64, 128, 256, 320, 256, 128, 64, 32];

    /// <summary>BasicBlocks per stage ([2, 0, 0, 0, 0, 0, 2, 2]).</summary>
    public IReadOnlyList<int> ConvBlocks { get; init; } = [2, 0, 0, 0, 0, 0, 2, 2];

    /// <summary>Bidirectional attention blocks per stage ([0, 2, 4, 8, 4, 2, 0, 0]).</summary>
    public IReadOnlyList<int> TransformerBlocks { get; init; } = [0, 2, 4, 8, 4, 2, 0, 0];

    /// <summary>Attention heads per stage ([1, 4, 8, 10, 8, 4, 1, 1]); width per head = channels / heads.</summary>
    public IReadOnlyList<int> Heads { get; init; } = [1, 4, 8, 10, 8, 4, 1, 1];

    /// <summary>Semantic-map tokens M (4³ = 64).</summary>
    public int MapSize { get; init; } = 64;

    /// <summary>Map-fusion transformer depth (2).</summary>
    public int FusionDepth { get; init; } = 2;

    /// <summary>Map-fusion width (320).</summary>
    public int FusionDim { get; init; } = 320;

    /// <summary>Map-fusion heads (10).</summary>
    public int FusionHeads { get; init; } = 10;

    /// <summary>MBConv expansion (4).</summary>
    public int Expansion { get; init; } = 4;

    /// <summary>Throws <see cref="ArgumentException"/> naming the first invalid option.</summary>
    public void Validate()
    {
        static void Check(bool ok, string message)
        {
            if (!ok)
            {
                throw new ArgumentException(message);
            }
        }

        Check(InputChannels >= 1, $"InputChannels must be ≥ 1; got {InputChannels}.");
        Check(BaseChannels >= 1, $"BaseChannels must be ≥ 1; got {BaseChannels}.");
        foreach (var (name, list) in new[] { ("Channels", Channels), ("ConvBlocks", ConvBlocks), ("TransformerBlocks", TransformerBlocks), ("Heads", Heads) })
        {
            Check(list is not null && list.Count == 8, $"{name} must hold 8 values (down1…down4, up1…up4).");
        }

        for (var i = 0; i < 8; i++)
        {
            var attention = i is >= 1 and <= 5;
            Check(Channels[i] >= 1, $"Channels[{i}] must be ≥ 1; got {Channels[i]}.");
            Check(attention ? TransformerBlocks[i] >= 1 && ConvBlocks[i] == 0 : TransformerBlocks[i] == 0 && ConvBlocks[i] >= 1,
                $"Stage {i} must be {(attention ? "an attention stage (TransformerBlocks ≥ 1, ConvBlocks = 0)" : "a convolution stage (ConvBlocks ≥ 1, TransformerBlocks = 0)")}; got ConvBlocks {ConvBlocks[i]}, TransformerBlocks {TransformerBlocks[i]}.");
            Check(Heads[i] >= 1 && (!attention || Channels[i] % Heads[i] == 0),
                $"Heads[{i}] = {Heads[i]} must be ≥ 1 and divide Channels[{i}] = {Channels[i]}.");
        }

        Check(MapSize >= 1, $"MapSize must be ≥ 1; got {MapSize}.");
        Check(FusionDepth >= 1, $"FusionDepth must be ≥ 1; got {FusionDepth}.");
        Check(FusionHeads >= 1 && FusionDim % FusionHeads == 0, $"FusionHeads = {FusionHeads} must divide FusionDim = {FusionDim}.");
        Check(Expansion >= 1, $"Expansion must be ≥ 1; got {Expansion}.");
    }
}
