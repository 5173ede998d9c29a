namespace Hermes.Backbones;

/// <summary>Architecture options of the ResUNet backbone (Hermes-R; reference §2).</summary>
public sealed record ResUNetOptions
{
    /// <summary>Input image channels (1).</summary>
    public int InputChannels { get; init; } = 1;

    /// <summary>Base width C (32 in the published model).</summary>
    public int BaseChannels { get; init; } = 32;

    /// <summary>BasicBlocks per encoder stage down1…down4 ([2, 2, 2, 2]); decoder stage up_k uses the mirrored count.</summary>
    public IReadOnlyList<int> Blocks { get; init; } = [2, 2, 2, 2];

    /// <summary>Stage widths as multiples of C for inc, down1…down4 ([1, 2, 4, 8, 10]).</summary>
    public IReadOnlyList<int> ChannelMultipliers { get; init; } = [1, 2, 4, 8, 10];

    /// <summary>Throws <see cref="ArgumentException"/> when an option is invalid.</summary>
    public void Validate()
    {
        if (InputChannels < 1)
        {
            throw new ArgumentException($"InputChannels must be ≥ 1; got {InputChannels}.");
        }

        if (BaseChannels < 1)
        {
            throw new ArgumentException($"BaseChannels must be ≥ 1; got {BaseChannels}.");
        }

        if (Blocks is null || Blocks.Count != 4 || Blocks.Any(b => b < 1))
        {
            throw new ArgumentException($"Blocks must hold 4 counts ≥ 1 (down1…down4); got [{string.Join(", ", Blocks ?? [])}].");
        }

        if (ChannelMultipliers is null || ChannelMultipliers.Count != 5 || ChannelMultipliers.Any(m => m < 1))
        {
            throw new ArgumentException(
                $"ChannelMultipliers must hold 5 values ≥ 1 (inc, down1…down4); got [{string.Join(", ", ChannelMultipliers ?? [])}].");
        }
    }
}
