namespace Hermes.Inference;

/// <summary>What to segment: task names from the model's sidecar vocabulary and, optionally, the image modality.</summary>
/// <param name="Tasks">Task names (each must be in <see cref="Checkpoints.ModelSidecar.Tasks"/>, case-insensitive); output order follows this list.</param>
/// <param name="Modality">
/// The modality name from <see cref="Checkpoints.ModelSidecar.Modalities"/>, or <c>unknown</c> (<see cref="Data.TaskVocabulary.UnknownModality"/>:
/// modality id −1, the reference's choice for AMOS-MR) when the model has an unnamed unknown-modality slot; <see langword="null"/> = the
/// sidecar's only modality, or the volume's DICOM <c>Modality</c> property when it names exactly one sidecar modality (e.g. <c>CT</c>).
/// </param>
public sealed record PredictionRequest(IReadOnlyList<string> Tasks, string? Modality = null);
