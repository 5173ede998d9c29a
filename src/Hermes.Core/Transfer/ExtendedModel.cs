using Hermes.Abstractions;

namespace Hermes.Transfer;

/// <summary>The result of <see cref="VocabularyExtension.Extend"/>.</summary>
/// <param name="Model">The new model (every existing weight copied; new prior rows initialised).</param>
/// <param name="Vocabulary">The new vocabulary (old names keep their ids, except a named unknown-modality slot, which
/// stays the last modality id).</param>
/// <param name="NewTaskIds">The ids of the added tasks, in plan order.</param>
/// <param name="NewModalityIds">The ids of the added modalities, in plan order.</param>
public sealed record ExtendedModel(
    UniversalSegmenter Model,
    ModelVocabulary Vocabulary,
    IReadOnlyList<long> NewTaskIds,
    IReadOnlyList<long> NewModalityIds);
