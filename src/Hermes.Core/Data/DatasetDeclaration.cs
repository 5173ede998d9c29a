using System.Globalization;

namespace Hermes.Data;

/// <summary>
/// What a training dataset contains: its modality (or modalities, for per-sequence datasets such as CHAOS), its label
/// values and the task each one stands for, and how often it is drawn. Register it in a <see cref="TaskCatalog"/>.
/// </summary>
public sealed record DatasetDeclaration
{
    /// <summary>Unique dataset key, e.g. <c>amos_ct</c>.</summary>
    public required string Name { get; init; }

    /// <summary>The modalities its cases may have; the first is the default for a case that names none. Use
    /// <see cref="TaskVocabulary.UnknownModality"/> for an unknown sequence (prior index −1, modality loss ignored).</summary>
    public required IReadOnlyList<string> Modalities { get; init; }

    /// <summary>Foreground label values and their tasks, in channel order (the order of the task list a sample carries).</summary>
    public required IReadOnlyList<LabelDeclaration> Labels { get; init; }

    /// <summary>Sampling weight of each of its cases (reference: a volume's weight is its dataset's weight). Positive.</summary>
    public double SampleWeight { get; init; } = 1.0;

    /// <summary>Probability of each intensity augmentation for its samples (reference: 0.1, or 0.2 for amos_mr, chaos, mnm).</summary>
    public double IntensityAugmentationProbability { get; init; } = 0.1;

    /// <summary>The default modality (the first of <see cref="Modalities"/>).</summary>
    public string DefaultModality => Modalities[0];

    /// <summary>
    /// The task a label of a dataset stands for: <c>&lt;dataset&gt;/&lt;label&gt;</c> (<c>hippocampus/anterior</c>), or the label
    /// itself when it already names a task (holds a <c>/</c>, as <c>amos/spleen</c>), so datasets can share a task's prior.
    /// </summary>
    /// <param name="dataset">The dataset key.</param>
    /// <param name="label">The label's name.</param>
    /// <returns>The task name.</returns>
    public static string TaskName(string dataset, string label) =>
        label.Contains('/', StringComparison.Ordinal) ? label : $"{dataset}/{label}";

    /// <summary>Checks the declaration on its own (the catalog checks modalities against its vocabulary).</summary>
    /// <exception cref="ArgumentException">A field is invalid; the message names the dataset, the field and the value.</exception>
    public void Validate()
    {
        if (string.IsNullOrWhiteSpace(Name) || Name.Any(char.IsWhiteSpace))
        {
            throw new ArgumentException($"Dataset name '{Name}' is invalid: expected a non-empty key without whitespace.", nameof(Name));
        }

        if (Modalities is null || Modalities.Count == 0 || Modalities.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException($"Dataset '{Name}': at least one non-empty modality is required.", nameof(Modalities));
        }

        if (Modalities.Distinct(StringComparer.Ordinal).Count() != Modalities.Count)
        {
            throw new ArgumentException($"Dataset '{Name}': duplicate modality in [{string.Join(", ", Modalities)}].", nameof(Modalities));
        }

        if (Labels is null || Labels.Count == 0)
        {
            throw new ArgumentException($"Dataset '{Name}': at least one foreground label is required.", nameof(Labels));
        }

        foreach (var label in Labels)
        {
            if (label is null || label.Value is < 1 or > 255)
            {
                throw new ArgumentException($"Dataset '{Name}': label value {label?.Value.ToString(CultureInfo.InvariantCulture) ?? "null"} is out of range: expected 1–255 (0 is background).", nameof(Labels));
            }

            if (string.IsNullOrWhiteSpace(label.Task))
            {
                throw new ArgumentException($"Dataset '{Name}': label value {label.Value} has an empty task name.", nameof(Labels));
            }
        }

        var dupValue = Labels.GroupBy(l => l.Value).FirstOrDefault(g => g.Count() > 1);
        if (dupValue is not null)
        {
            throw new ArgumentException($"Dataset '{Name}': label value {dupValue.Key} is declared {dupValue.Count()} times.", nameof(Labels));
        }

        var dupTask = Labels.GroupBy(l => l.Task, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (dupTask is not null)
        {
            throw new ArgumentException($"Dataset '{Name}': task '{dupTask.Key}' is declared for label values {string.Join(", ", dupTask.Select(l => l.Value))}; a task may have one value per dataset.", nameof(Labels));
        }

        if (!double.IsFinite(SampleWeight) || SampleWeight <= 0)
        {
            throw new ArgumentException($"Dataset '{Name}': sample weight {SampleWeight.ToString(CultureInfo.InvariantCulture)} must be finite and positive.", nameof(SampleWeight));
        }

        if (!(IntensityAugmentationProbability is >= 0 and <= 1))
        {
            throw new ArgumentException($"Dataset '{Name}': intensity augmentation probability {IntensityAugmentationProbability.ToString(CultureInfo.InvariantCulture)} must be within [0, 1].", nameof(IntensityAugmentationProbability));
        }
    }
}
