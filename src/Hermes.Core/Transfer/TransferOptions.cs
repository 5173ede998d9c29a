namespace Hermes.Transfer;

/// <summary>What <see cref="ModelTransfer.Initialize"/> copies from a pretrained model.</summary>
public sealed record TransferOptions
{
    /// <summary>Copy the heads (posterior, deep-supervision; the modality head's shared layers and, by name, its class rows).</summary>
    public bool IncludeHeads { get; init; } = true;

    /// <summary>
    /// Copy the prior rows of tasks and modalities whose names exist in the pretrained vocabulary (and its null token and
    /// unknown-modality slot); otherwise every prior starts from its own initialisation.
    /// </summary>
    public bool MatchPriorsByName { get; init; } = true;
}
