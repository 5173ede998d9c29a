using System.Globalization;

namespace Hermes.Data;

/// <summary>How training batches are drawn (hermes-reference.md §9.2–9.3, with nnU-Net-style foreground oversampling).</summary>
public sealed record TrainingBatchOptions
{
    /// <summary>The reference's samples per batch; the one declaration of this default (the DI options use it).</summary>
    internal const int ReferenceBatchSize = 2;

    /// <summary>Samples per batch (reference: 2 per GPU).</summary>
    public int BatchSize { get; init; } = ReferenceBatchSize;

    /// <summary>Patch size <c>(D, H, W)</c> fed to the model (reference: 128³).</summary>
    public IReadOnlyList<int> PatchSize { get; init; } = [128, 128, 128];

    /// <summary>Probability that a sample is a foreground patch (nnU-Net: 0.33; the reference Hermes has none: 0).</summary>
    public double ForegroundRatio { get; init; } = 0.33;

    /// <summary>Extra voxels cut on each side of the patch for the spatial augmentation to draw from (reference: 15 for 128, i.e. a
    /// 158³ crop); <see langword="null"/> scales 15/128 with the patch size. Ignored without a spatial augmentation.</summary>
    public IReadOnlyList<int>? ContextMargin { get; init; }

    /// <summary>The run seed; batch <c>n</c> depends only on it and <c>n</c>.</summary>
    public ulong Seed { get; init; }

    /// <summary>Threads reading patches of one batch in parallel.</summary>
    public int MaxParallelism { get; init; } = Environment.ProcessorCount;

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentException">An option is invalid; the message names it and its value.</exception>
    public void Validate()
    {
        if (BatchSize < 1)
        {
            throw new ArgumentException($"BatchSize must be ≥ 1; got {BatchSize}.", nameof(BatchSize));
        }

        if (PatchSize is null || PatchSize.Count != 3 || PatchSize.Any(s => s < 1))
        {
            throw new ArgumentException($"PatchSize must be three positive sizes (D, H, W); got [{string.Join(", ", PatchSize ?? [])}].", nameof(PatchSize));
        }

        if (!(ForegroundRatio is >= 0 and <= 1))
        {
            throw new ArgumentException($"ForegroundRatio must be within [0, 1]; got {ForegroundRatio.ToString(CultureInfo.InvariantCulture)}.", nameof(ForegroundRatio));
        }

        if (ContextMargin is not null && (ContextMargin.Count != 3 || ContextMargin.Any(m => m < 0)))
        {
            throw new ArgumentException($"ContextMargin must be three sizes ≥ 0; got [{string.Join(", ", ContextMargin)}].", nameof(ContextMargin));
        }

        if (MaxParallelism < 1)
        {
            throw new ArgumentException($"MaxParallelism must be ≥ 1; got {MaxParallelism}.", nameof(MaxParallelism));
        }
    }

    /// <summary>The margin actually used per side.</summary>
    internal int[] EffectiveMargin() => ContextMargin is { } m ? [.. m] : [.. PatchSize.Select(p => (int)Math.Round(p * 15.0 / 128.0))];
}
