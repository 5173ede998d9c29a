namespace Hermes.Transfer;

/// <summary>The parts of a <see cref="Abstractions.UniversalSegmenter"/> that fine-tuning trains or freezes.</summary>
[Flags]
public enum ModelParts
{
    /// <summary>No part.</summary>
    None = 0,

    /// <summary>The task and modality prior tables of every scale.</summary>
    Priors = 1,

    /// <summary>The posterior head, the modality head and the deep-supervision heads.</summary>
    Heads = 2,

    /// <summary>Everything else: the backbone's stages and the prior-fusion (attention) layers.</summary>
    Backbone = 4,

    /// <summary>The whole model.</summary>
    All = Priors | Heads | Backbone,
}
