using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Hermes.Data;

/// <summary>
/// The datasets a model is trained on and the global <see cref="TaskVocabulary"/> that gives every task and modality its
/// prior index. Adding a dataset appends its new tasks to the vocabulary and never renumbers existing ones. Serialises to
/// JSON (<see cref="ToJson"/>) so it can be saved with the model; users declare their own datasets in code
/// (<see cref="Add"/>) or in a JSON file (<see cref="Load"/>). The paper's 11 datasets are <see cref="CreateHermes"/>.
/// </summary>
public sealed class TaskCatalog
{
    private const int FormatVersion = 1;
    private readonly List<DatasetDeclaration> datasets = [];
    private readonly Dictionary<string, DatasetDeclaration> byName = new(StringComparer.Ordinal);

    /// <summary>Creates a catalog over a vocabulary (a new empty one by default).</summary>
    /// <param name="vocabulary">An existing vocabulary to extend (e.g. the one saved with a model); it is not copied.</param>
    public TaskCatalog(TaskVocabulary? vocabulary = null) => Vocabulary = vocabulary ?? new TaskVocabulary();

    /// <summary>The global task and modality vocabulary.</summary>
    public TaskVocabulary Vocabulary { get; }

    /// <summary>The datasets, in the order they were added.</summary>
    public IReadOnlyList<DatasetDeclaration> Datasets => datasets;

    /// <summary>The declaration of a dataset.</summary>
    /// <param name="name">The dataset key.</param>
    /// <returns>The declaration.</returns>
    /// <exception cref="KeyNotFoundException">No such dataset.</exception>
    public DatasetDeclaration this[string name] => byName.TryGetValue(name, out var d)
        ? d
        : throw new KeyNotFoundException($"Dataset '{name}' is not in the catalog; known: {string.Join(", ", byName.Keys)}.");

    /// <summary>Whether a dataset is declared.</summary>
    /// <param name="name">The dataset key.</param>
    /// <returns><see langword="true"/> when declared.</returns>
    public bool Contains(string name) => byName.ContainsKey(name);

    /// <summary>Declares a dataset: validates it, checks its modalities are in the vocabulary and appends its new tasks.</summary>
    /// <param name="dataset">The declaration.</param>
    /// <exception cref="ArgumentException">The declaration is invalid, its name is taken, or a modality is unknown.</exception>
    public void Add(DatasetDeclaration dataset)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        dataset.Validate();
        if (byName.ContainsKey(dataset.Name))
        {
            throw new ArgumentException($"Dataset '{dataset.Name}' is already declared.", nameof(dataset));
        }

        foreach (var m in dataset.Modalities)
        {
            if (!Vocabulary.HasModality(m))
            {
                throw new ArgumentException($"Dataset '{dataset.Name}': unknown modality '{m}'; known: {string.Join(", ", Vocabulary.Modalities)}, {TaskVocabulary.UnknownModality}. Add it to the vocabulary first.", nameof(dataset));
            }
        }

        foreach (var label in dataset.Labels)
        {
            Vocabulary.AddTask(label.Task);
        }

        datasets.Add(dataset);
        byName[dataset.Name] = dataset;
    }

    /// <summary>The global task ids of a dataset's labels, in channel order (label value v ↦ its task's prior index).</summary>
    /// <param name="dataset">The dataset key.</param>
    /// <returns>The task ids.</returns>
    public long[] TaskIds(string dataset) => [.. this[dataset].Labels.Select(l => (long)Vocabulary.TaskIndex(l.Task))];

    /// <summary>The modality prior index of a case of a dataset.</summary>
    /// <param name="dataset">The dataset key.</param>
    /// <param name="modality">The case's modality, or <see langword="null"/> for the dataset's default.</param>
    /// <returns>The index (−1 for the unknown modality).</returns>
    /// <exception cref="ArgumentException">The modality is not one the dataset declares.</exception>
    public long ModalityId(string dataset, string? modality = null)
    {
        var d = this[dataset];
        var m = modality ?? d.DefaultModality;
        if (!d.Modalities.Contains(m, StringComparer.Ordinal))
        {
            throw new ArgumentException($"Dataset '{dataset}' does not declare modality '{m}'; it declares {string.Join(", ", d.Modalities)}.", nameof(modality));
        }

        return Vocabulary.ModalityIndex(m);
    }

    /// <summary>The catalog as JSON (vocabulary first, then the datasets).</summary>
    /// <returns>Indented JSON.</returns>
    public string ToJson()
    {
        var root = new JsonObject
        {
            ["format"] = "hermes-task-catalog",
            ["version"] = FormatVersion,
            ["vocabulary"] = Vocabulary.ToJson(),
            ["datasets"] = new JsonArray([.. datasets.Select(d => (JsonNode?)new JsonObject
            {
                ["name"] = d.Name,
                ["modalities"] = new JsonArray([.. d.Modalities.Select(m => (JsonNode?)JsonValue.Create(m))]),
                ["labels"] = new JsonArray([.. d.Labels.Select(l => (JsonNode?)new JsonObject { ["value"] = l.Value, ["task"] = l.Task })]),
                ["sampleWeight"] = d.SampleWeight,
                ["intensityAugmentationProbability"] = d.IntensityAugmentationProbability,
            })]),
        };
        return root.ToJsonString(new JsonSerializerOptions { WriteIndented = true });
    }

    /// <summary>
    /// Reads a catalog from JSON. The <c>vocabulary</c> object is optional: without it, modalities must be listed in
    /// <c>modalities</c> (array of names) and tasks are numbered in declaration order. <c>"extends": "hermes"</c> starts from
    /// the built-in catalog and appends the file's datasets.
    /// </summary>
    /// <param name="json">The JSON text.</param>
    /// <param name="source">A name for error messages (e.g. the file path).</param>
    /// <returns>The catalog.</returns>
    /// <exception cref="FormatException">The JSON is malformed or a declaration is invalid; the message names the source.</exception>
    public static TaskCatalog FromJson(string json, string source = "task catalog")
    {
        ArgumentNullException.ThrowIfNull(json);
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(json);
        }
        catch (JsonException ex)
        {
            throw new FormatException($"{source}: invalid JSON ({ex.Message}).", ex);
        }

        if (node is not JsonObject root)
        {
            throw new FormatException($"{source}: expected a JSON object.");
        }

        TaskCatalog catalog;
        if (root["extends"] is JsonNode ext)
        {
            if (ext.GetValueKind() != JsonValueKind.String || ext.GetValue<string>() != "hermes")
            {
                throw new FormatException($"{source}: 'extends' must be \"hermes\" (the built-in catalog).");
            }

            catalog = CreateHermes();
        }
        else
        {
            catalog = new TaskCatalog(root["vocabulary"] is null ? null : TaskVocabulary.FromJson(root["vocabulary"], source));
        }

        if (root["modalities"] is JsonArray mods)
        {
            foreach (var m in mods)
            {
                catalog.Vocabulary.AddModality(ReadString(m, source, "modalities[]"));
            }
        }

        if (root["datasets"] is not JsonArray list)
        {
            throw new FormatException($"{source}: 'datasets' must be an array.");
        }

        foreach (var item in list)
        {
            if (item is not JsonObject d)
            {
                throw new FormatException($"{source}: every entry of 'datasets' must be an object.");
            }

            var name = ReadString(d["name"], source, "datasets[].name");
            var where = $"{source}: dataset '{name}'";
            var modalities = d["modalities"] is JsonArray ma
                ? ma.Select(m => ReadString(m, where, "modalities[]")).ToList()
                : d["modality"] is JsonNode one ? [ReadString(one, where, "modality")] : throw new FormatException($"{where}: 'modalities' (array) or 'modality' (string) is required.");
            if (d["labels"] is not JsonArray la)
            {
                throw new FormatException($"{where}: 'labels' must be an array of {{\"value\": v, \"task\": name}}.");
            }

            var labels = la.Select(l => l is JsonObject lo
                ? new LabelDeclaration(ReadInt(lo["value"], where, "labels[].value"), ReadString(lo["task"], where, "labels[].task"))
                : throw new FormatException($"{where}: every label must be an object {{\"value\": v, \"task\": name}}.")).ToList();
            var declaration = new DatasetDeclaration
            {
                Name = name,
                Modalities = modalities,
                Labels = labels,
                SampleWeight = d["sampleWeight"] is JsonNode w ? ReadDouble(w, where, "sampleWeight") : 1.0,
                IntensityAugmentationProbability = d["intensityAugmentationProbability"] is JsonNode p ? ReadDouble(p, where, "intensityAugmentationProbability") : 0.1,
            };
            try
            {
                catalog.Add(declaration);
            }
            catch (ArgumentException ex)
            {
                throw new FormatException($"{source}: {ex.Message}", ex);
            }
        }

        return catalog;
    }

    /// <summary>Reads a catalog from a JSON file (see <see cref="FromJson"/>).</summary>
    /// <param name="path">The file.</param>
    /// <returns>The catalog.</returns>
    public static TaskCatalog Load(string path) => FromJson(File.ReadAllText(path, Encoding.UTF8), path);

    /// <summary>Writes the catalog as JSON, atomically (temporary file in the same folder, then a move).</summary>
    /// <param name="path">The file.</param>
    public void Save(string path) => Runtime.AtomicFile.Write(path, s =>
    {
        var bytes = Encoding.UTF8.GetBytes(ToJson());
        s.Write(bytes);
    });

    /// <summary>
    /// The built-in catalog of the Hermes paper (hermes-reference.md §8): 11 datasets, 71 tasks with the paper's global ids
    /// (AMOS-CT and AMOS-MR share ids 4–16), modalities CT 0, PET 1, T1-MRI 2, T2-MRI 3, cine-MRI 4 (AMOS-MR: unknown, −1;
    /// CHAOS: T1-MRI or T2-MRI per sequence), with the paper's sample weights and intensity-augmentation probabilities.
    /// </summary>
    /// <returns>A new catalog (callers may add datasets to it).</returns>
    public static TaskCatalog CreateHermes() => HermesDatasets.Create();

    private static string ReadString(JsonNode? n, string where, string field) =>
        n is JsonValue v && v.TryGetValue<string>(out var s) && !string.IsNullOrWhiteSpace(s)
            ? s
            : throw new FormatException($"{where}: '{field}' must be a non-empty string (got {n?.ToJsonString() ?? "nothing"}).");

    private static int ReadInt(JsonNode? n, string where, string field) =>
        n is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<int>(out var i)
            ? i
            : throw new FormatException($"{where}: '{field}' must be an integer (got {n?.ToJsonString() ?? "nothing"}).");

    private static double ReadDouble(JsonNode? n, string where, string field) =>
        n is JsonValue v && v.GetValueKind() == JsonValueKind.Number && v.TryGetValue<double>(out var d)
            ? d
            : throw new FormatException($"{where}: '{field}' must be a number (got {n?.ToJsonString(new JsonSerializerOptions()) ?? "nothing"}, {CultureInfo.InvariantCulture.Name}).");
}
