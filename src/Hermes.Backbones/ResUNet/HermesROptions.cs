namespace Hermes.Backbones;

/// <summary>Options of the complete Hermes-R model (ResUNet backbone, five prior fusions, posterior and modality heads).</summary>
public sealed record HermesROptions
{
    /// <summary>Backbone options.</summary>
    public ResUNetOptions Backbone { get; init; } = new();

    /// <summary>Task vocabulary size tn (72: 71 tasks + the null id; each task table gets tn + 1 rows).</summary>
    public int TaskCount { get; init; } = 72;

    /// <summary>Number of modalities mn (6).</summary>
    public int ModalityCount { get; init; } = 6;

    /// <summary>Tokens per modality l (10).</summary>
    public int TokensPerModality { get; init; } = 10;

    /// <summary>
    /// How the task prior tables start (default <see cref="Priors.Fusion.TaskPriorInitialization.UnitNormal"/>; the
    /// reference's is <see cref="Priors.Fusion.TaskPriorInitialization.XavierUniform"/>). Only training from scratch
    /// depends on it: loaded weights replace the tables.
    /// </summary>
    public Priors.Fusion.TaskPriorInitialization TaskPriorInitialization { get; init; } = Priors.Fusion.TaskPriorInitialization.UnitNormal;

    /// <summary>Attention blocks of the fusions after down2, down3, down4, up1, up2 ([2, 2, 4, 2, 2]).</summary>
    public IReadOnlyList<int> FusionBlocks { get; init; } = [2, 2, 4, 2, 2];

    /// <summary>Whether to add the modality head (<c>mod_out</c>).</summary>
    public bool ModalityHead { get; init; } = true;
}
