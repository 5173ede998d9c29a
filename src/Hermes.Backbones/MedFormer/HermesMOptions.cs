namespace Hermes.Backbones;

/// <summary>Options of the complete Hermes-M model (MedFormer backbone with internal priors, aux, posterior and modality heads).</summary>
public sealed record HermesMOptions
{
    /// <summary>Backbone options.</summary>
    public MedFormerOptions Backbone { get; init; } = new();

    /// <summary>Task vocabulary size tn (72).</summary>
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

    /// <summary>Whether to add the deep-supervision head on up2 (<c>aux_classifier</c>; true in the published model).</summary>
    public bool AuxiliaryHead { get; init; } = true;

    /// <summary>Whether to add the modality head (<c>mod_out</c>).</summary>
    public bool ModalityHead { get; init; } = true;
}
