namespace Hermes.Data;

/// <summary>One training case on disk: its image file(s) (one per channel, same grid) and its label map.</summary>
/// <param name="Dataset">The dataset key in the <see cref="TaskCatalog"/>.</param>
/// <param name="CaseId">A case identifier, unique within the dataset.</param>
/// <param name="ImagePaths">Image files, one per channel, all on the label's grid.</param>
/// <param name="LabelPath">The label map (integer values declared by the dataset; 0 = background).</param>
/// <param name="Modality">The case's modality, or <see langword="null"/> for the dataset's default (per-sequence datasets such as CHAOS set it).</param>
public sealed record CaseReference(string Dataset, string CaseId, IReadOnlyList<string> ImagePaths, string LabelPath, string? Modality = null);
