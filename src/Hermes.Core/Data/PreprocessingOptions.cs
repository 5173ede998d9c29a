using System.Globalization;
using System.Text.Json.Nodes;
using Hermes.Preprocessing;
using ResamplingMode = Hermes.Preprocessing.ResamplingMode;

namespace Hermes.Data;

/// <summary>
/// How training cases are preprocessed once before training (hermes-reference.md §9.1): re-orientation to RAS+ (i → R,
/// j → A, k → S), resampling to a target spacing (images trilinear, labels nearest), and per-modality intensity
/// normalisation. Any change here changes the cache fingerprint, so cached cases are rebuilt.
/// </summary>
public sealed record PreprocessingOptions
{
    /// <summary>Whether volumes are re-oriented to RAS+ (an exact permutation/flip of the voxel array; oblique grids keep their residual rotation).</summary>
    public bool Reorient { get; init; } = true;

    /// <summary>Target spacing in mm along (i, j, k) after re-orientation, i.e. (x, y, z); <see langword="null"/> keeps the native spacing. Reference: 1.5 mm.</summary>
    public IReadOnlyList<double>? TargetSpacing { get; init; } = [1.5, 1.5, 1.5];

    /// <summary>How label maps are resampled: <see cref="ResamplingMode.Nearest"/> (reference) or <see cref="ResamplingMode.LinearOneHot"/> (smoother boundaries).</summary>
    public ResamplingMode LabelResampling { get; init; } = ResamplingMode.Nearest;

    /// <summary>Intensity normalisation per modality name; modalities not listed use <see cref="DefaultNormalization"/>. Defaults:
    /// CT → clip [−991, 500] HU + z-score (reference); everything else → 2nd–98th percentile clip + z-score.</summary>
    public IReadOnlyDictionary<string, IntensityNormalization> Normalization { get; init; } =
        new Dictionary<string, IntensityNormalization>(StringComparer.Ordinal) { ["CT"] = IntensityNormalization.Ct };

    /// <summary>Normalisation of modalities not in <see cref="Normalization"/>.</summary>
    public IntensityNormalization DefaultNormalization { get; init; } = IntensityNormalization.PercentileClip;

    /// <summary>How many voxel positions per label value are stored for foreground sampling (a seeded random subset when there are more).</summary>
    public int ForegroundLocationsPerLabel { get; init; } = 10_000;

    /// <summary>The normalisation used for a modality.</summary>
    /// <param name="modality">The modality name.</param>
    /// <returns>The normalisation.</returns>
    public IntensityNormalization NormalizationFor(string modality) =>
        Normalization.TryGetValue(modality, out var n) ? n : DefaultNormalization;

    /// <summary>
    /// The normalisation of every modality a model trained on <paramref name="vocabulary"/> can be asked for: each named
    /// modality and <see cref="TaskVocabulary.UnknownModality"/> (the unknown slot), as a model sidecar records them.
    /// </summary>
    /// <param name="vocabulary">The training vocabulary.</param>
    /// <returns>Normalisation by modality name.</returns>
    public IReadOnlyDictionary<string, IntensityNormalization> NormalizationByModality(TaskVocabulary vocabulary)
    {
        ArgumentNullException.ThrowIfNull(vocabulary);
        return vocabulary.Modalities.Append(TaskVocabulary.UnknownModality).ToDictionary(m => m, NormalizationFor, StringComparer.Ordinal);
    }

    /// <summary>Checks the options.</summary>
    /// <exception cref="ArgumentException">An option is invalid; the message names it and its value.</exception>
    public void Validate()
    {
        if (TargetSpacing is not null && (TargetSpacing.Count != 3 || TargetSpacing.Any(s => !double.IsFinite(s) || s <= 0)))
        {
            throw new ArgumentException($"TargetSpacing must be three finite positive values in mm; got [{string.Join(", ", TargetSpacing.Select(s => s.ToString(CultureInfo.InvariantCulture)))}].", nameof(TargetSpacing));
        }

        foreach (var (modality, n) in Normalization.Append(new("(default)", DefaultNormalization)))
        {
            var problem = n is null ? "a value" : n.Validate();
            if (problem is not null)
            {
                throw new ArgumentException($"Normalization for modality '{modality}' is invalid: expected {problem}.", nameof(Normalization));
            }
        }

        if (LabelResampling == ResamplingMode.Linear)
        {
            throw new ArgumentException("LabelResampling must be Nearest or LinearOneHot; linear interpolation would invent label values.", nameof(LabelResampling));
        }

        if (ForegroundLocationsPerLabel < 1)
        {
            throw new ArgumentException($"ForegroundLocationsPerLabel must be ≥ 1; got {ForegroundLocationsPerLabel}.", nameof(ForegroundLocationsPerLabel));
        }
    }

    /// <summary>The settings that affect a case of the given modality, as canonical JSON (for fingerprints).</summary>
    internal string FingerprintText(string modality) => new JsonObject
    {
        ["reorient"] = Reorient,
        ["spacing"] = TargetSpacing is null ? null : new JsonArray([.. TargetSpacing.Select(s => (JsonNode?)JsonValue.Create(s))]),
        ["labelResampling"] = LabelResampling.ToString(),
        ["normalization"] = NormalizationFor(modality).ToJson(),
        ["locations"] = ForegroundLocationsPerLabel,
    }.ToJsonString();
}
