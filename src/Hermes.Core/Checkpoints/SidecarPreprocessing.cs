using Hermes.Preprocessing;

namespace Hermes.Checkpoints;

/// <summary>The preprocessing a model was trained with, which inference must reproduce.</summary>
/// <param name="TargetSpacing">Voxel spacing in millimetres the volumes are resampled to, along (x, y, z); three positive values.</param>
/// <param name="Normalization">
/// Intensity normalisation per modality name (every modality of the vocabulary) and, optionally, for
/// <see cref="Data.TaskVocabulary.UnknownModality"/> (the unknown-modality slot, modality id −1).
/// </param>
/// <param name="PatchSize">Network input size in voxels, in tensor order (D, H, W); three positive values.</param>
public sealed record SidecarPreprocessing(
    IReadOnlyList<double> TargetSpacing,
    IReadOnlyDictionary<string, IntensityNormalization> Normalization,
    IReadOnlyList<int> PatchSize);
