using System.Globalization;
using Hermes.Data;

namespace Hermes.DependencyInjection;

/// <summary>
/// A dataset of your own to train on (one entry of <c>Hermes:Training:CustomDatasets</c>), with your own task names: an
/// MSD / nnU-Net folder (<see cref="Folder"/>: <c>imagesTr/</c>, <c>labelsTr/</c>, optional <c>dataset.json</c>) or the rows
/// of a manifest (<see cref="Manifest"/>). <see cref="Declare"/> adds it to a <see cref="TaskCatalog"/>: its label values
/// become tasks <c>&lt;Name&gt;/&lt;label&gt;</c> appended to the universal vocabulary (a label written as a full task name,
/// such as <c>amos/spleen</c>, shares that task's prior with the other datasets that label it), and a modality the
/// vocabulary does not know yet is appended too. Relative paths are relative to the working directory, as
/// <see cref="HermesTrainingOptions.Manifest"/> is.
/// </summary>
public sealed class HermesDatasetOptions
{
    /// <summary>The dataset key (a <see cref="VocabularyName"/> without <c>/</c> or white space, e.g. <c>hippocampus</c>); prefix of its task names.</summary>
    public string? Name { get; set; }

    /// <summary>An MSD / nnU-Net dataset folder (<c>imagesTr/</c> + <c>labelsTr/</c>; its <c>dataset.json</c> may declare labels and modality). Set this or <see cref="Manifest"/>.</summary>
    public string? Folder { get; set; }

    /// <summary>A manifest (<c>manifest.tsv</c>: dataset, case_id, image, label) whose rows of <see cref="ManifestDataset"/> are the cases. Set this or <see cref="Folder"/>.</summary>
    public string? Manifest { get; set; }

    /// <summary>The manifest's <c>dataset</c> value of the rows to take; default <see cref="Name"/>.</summary>
    public string? ManifestDataset { get; set; }

    /// <summary>
    /// The modality of every case (e.g. <c>CT</c>, <c>T1-MRI</c>, or a new name such as <c>MRI</c>, which gets its own prior and the
    /// default normalisation); default: the first modality of the folder's <c>dataset.json</c>. Required otherwise.
    /// </summary>
    public string? Modality { get; set; }

    /// <summary>
    /// Label value → label name, as in an MSD <c>dataset.json</c> (<c>{"1": "anterior"}</c>; the nnU-Net v2 form
    /// <c>{"anterior": 1}</c> is accepted too; value 0, the background, is skipped). A name without <c>/</c> becomes task
    /// <c>&lt;Name&gt;/&lt;name&gt;</c>; a name with one is the task itself. Overrides the folder's <c>dataset.json</c>; required for
    /// a manifest or a folder without one.
    /// </summary>
    public IDictionary<string, string> Labels { get; set; } = new Dictionary<string, string>(StringComparer.Ordinal);

    /// <summary>Sampling weight of each of its cases (finite, positive; the built-in datasets use 0.1–2.6).</summary>
    public double SampleWeight { get; set; } = 1.0;

    /// <summary>Probability of each intensity augmentation for its samples, in [0, 1].</summary>
    public double IntensityAugmentationProbability { get; set; } = 0.1;

    /// <summary>
    /// Checks the entry on its own (no file is read beyond existence checks), as <see cref="HermesOptionsValidator"/> does at
    /// start-up: each problem is the option's name below the entry, its value and what is expected.
    /// </summary>
    /// <returns>The problems; empty when the entry is valid.</returns>
    public IReadOnlyList<(string Option, object? Value, string Expected)> Problems()
    {
        var problems = new List<(string, object?, string)>();
        if (VocabularyName.Problem(Name) is { } nameProblem)
        {
            problems.Add((nameof(Name), Name, $"a dataset key ({nameProblem})"));
        }
        else if (Name!.Contains('/', StringComparison.Ordinal) || Name.Any(char.IsWhiteSpace))
        {
            problems.Add((nameof(Name), Name, "a dataset key without '/' or white space (it prefixes the task names, as amos in amos/liver)"));
        }

        if ((Folder is null) == (Manifest is null))
        {
            problems.Add((nameof(Folder), Folder, $"exactly one of Folder (an MSD/nnU-Net folder) and Manifest (a manifest.tsv); {(Folder is null ? "neither is" : "both are")} set"));
        }
        else if (Folder is not null && !Directory.Exists(Folder))
        {
            problems.Add((nameof(Folder), Folder, "an existing folder holding imagesTr/ and labelsTr/"));
        }
        else if (Manifest is not null && !File.Exists(Manifest))
        {
            problems.Add((nameof(Manifest), Manifest, "an existing manifest file"));
        }

        if (ManifestDataset is not null && Manifest is null)
        {
            problems.Add((nameof(ManifestDataset), ManifestDataset, "only with Manifest"));
        }

        if (Modality is not null && Modality != TaskVocabulary.UnknownModality && VocabularyName.Problem(Modality) is { } modalityProblem)
        {
            problems.Add((nameof(Modality), Modality, $"a modality name ({modalityProblem})"));
        }
        else if (Modality is null && Folder is null)
        {
            problems.Add((nameof(Modality), null, "a modality name (e.g. CT, T1-MRI, or a new one); a manifest does not name it"));
        }

        if (ReadLabels(out var labelProblem) is null)
        {
            problems.Add(labelProblem!.Value);
        }
        else if (Labels.Count == 0 && Folder is null)
        {
            problems.Add((nameof(Labels), null, "label value → name, e.g. {\"1\": \"anterior\", \"2\": \"posterior\"}; a manifest does not declare them"));
        }

        if (!double.IsFinite(SampleWeight) || SampleWeight <= 0)
        {
            problems.Add((nameof(SampleWeight), SampleWeight, "a finite value > 0"));
        }

        if (!(IntensityAugmentationProbability is >= 0 and <= 1))
        {
            problems.Add((nameof(IntensityAugmentationProbability), IntensityAugmentationProbability, "a value in [0, 1]"));
        }

        return problems;
    }

    /// <summary>
    /// Declares the dataset in <paramref name="catalog"/>: appends its new tasks and (when new) its modality to the vocabulary,
    /// existing ids unchanged, and returns what was declared with the source of its cases. Nothing is added when it fails.
    /// </summary>
    /// <param name="catalog">The catalog to extend (the built-in one, or a pretrained model's for a fine-tune).</param>
    /// <returns>The declaration, its case source and the names it added.</returns>
    /// <exception cref="ArgumentException">The entry is invalid, or its name is already a dataset of the catalog.</exception>
    /// <exception cref="DatasetFormatException">The folder's <c>dataset.json</c> is missing (with no <see cref="Labels"/>) or malformed.</exception>
    public DeclaredDataset Declare(TaskCatalog catalog)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        if (Problems() is [var (option, value, expected), ..])
        {
            throw new ArgumentException($"{option} = {HermesOptionsValidator.Show(value)} is invalid: expected {expected}.");
        }

        if (catalog.Contains(Name!))
        {
            throw new ArgumentException($"{nameof(Name)} = '{Name}' is invalid: the catalog already has a dataset of that name (the built-in ones: {string.Join(", ", catalog.Datasets.Select(d => d.Name))}); choose another.");
        }

        var folder = Folder is null ? null : new DecathlonFolderSource(Folder, Name!);
        var fromFile = folder is not null && (Labels.Count == 0 || Modality is null) ? folder.ReadDeclaration(Modality, SampleWeight) : null;
        var declaration = new DatasetDeclaration
        {
            Name = Name!,
            Modalities = [Modality ?? fromFile!.DefaultModality],
            Labels = Labels.Count > 0 ? ReadLabels(out _)! : fromFile!.Labels,
            SampleWeight = SampleWeight,
            IntensityAugmentationProbability = IntensityAugmentationProbability,
        };
        declaration.Validate();
        foreach (var label in declaration.Labels)
        {
            VocabularyName.Validate(label.Task, $"task (label {label.Value} of dataset '{Name}')");
        }

        var modality = declaration.DefaultModality;
        if (modality != TaskVocabulary.UnknownModality)
        {
            VocabularyName.Validate(modality, $"modality (dataset '{Name}')");
        }

        var vocabulary = catalog.Vocabulary;
        var newModalities = vocabulary.HasModality(modality) ? [] : new[] { modality };
        var newTasks = declaration.Labels.Select(l => l.Task).Where(t => !vocabulary.Tasks.Contains(t, StringComparer.Ordinal)).ToList();
        foreach (var m in newModalities)
        {
            vocabulary.AddModality(m);
        }

        catalog.Add(declaration);
        var source = (IDatasetSource?)folder ?? new ManifestSource(Manifest!, new Dictionary<string, string>(StringComparer.Ordinal) { [ManifestDataset ?? Name!] = Name! });
        return new DeclaredDataset(declaration, source, newTasks, newModalities);
    }

    /// <summary>The labels of <see cref="Labels"/> (empty when none are given), or <see langword="null"/> with the problem.</summary>
    private List<LabelDeclaration>? ReadLabels(out (string, object?, string)? problem)
    {
        problem = null;
        var labels = new List<LabelDeclaration>();
        foreach (var (key, text) in Labels ?? new Dictionary<string, string>())
        {
            int value;
            string name;
            if (int.TryParse(key, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v))
            {
                (value, name) = (v, text);
            }
            else if (int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v2))
            {
                (value, name) = (v2, key);
            }
            else
            {
                problem = ($"{nameof(Labels)}:{key}", text, "label value → name (\"1\": \"anterior\") or name → value (\"anterior\": 1)");
                return null;
            }

            if (value == 0)
            {
                continue;
            }

            if (value is < 1 or > 255)
            {
                problem = ($"{nameof(Labels)}:{key}", text, "a label value in 1–255 (0 is the background)");
                return null;
            }

            if (VocabularyName.Problem(name) is { } p)
            {
                problem = ($"{nameof(Labels)}:{key}", text, $"a label name ({p})");
                return null;
            }

            labels.Add(new LabelDeclaration(value, DatasetDeclaration.TaskName(Name ?? "", name)));
        }

        if (labels.GroupBy(l => l.Value).FirstOrDefault(g => g.Count() > 1) is { } dup)
        {
            problem = (nameof(Labels), dup.Key, "each label value once");
            return null;
        }

        return [.. labels.OrderBy(l => l.Value)];
    }
}
