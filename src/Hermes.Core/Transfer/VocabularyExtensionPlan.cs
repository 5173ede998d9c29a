namespace Hermes.Transfer;

/// <summary>The tasks and modalities to append to a trained model's vocabulary.</summary>
public sealed record VocabularyExtensionPlan
{
    /// <summary>New tasks, in the order their ids are assigned.</summary>
    public IReadOnlyList<VocabularyAddition> Tasks { get; init; } = [];

    /// <summary>New modalities, in the order their ids are assigned.</summary>
    public IReadOnlyList<VocabularyAddition> Modalities { get; init; } = [];
}
