using System.Text.Json.Nodes;

namespace Hermes.Data;

/// <summary>
/// The global, append-only vocabulary of segmentation tasks and modalities: each name owns a prior index (its row in the
/// model's task or modality prior table). Adding a name never changes an existing index, and the same name always gets the
/// same index, so a vocabulary saved with a model stays valid when datasets are added later.
/// </summary>
public sealed class TaskVocabulary
{
    /// <summary>The modality name of an unknown sequence (reference: AMOS-MR). Its prior index is −1.</summary>
    public const string UnknownModality = "unknown";

    /// <summary>The task index of the null (padding) token.</summary>
    public const long NullTask = -1;

    private readonly List<string> tasks = [];
    private readonly Dictionary<string, int> taskIndex = new(StringComparer.Ordinal);
    private readonly List<string> modalities = [];
    private readonly Dictionary<string, int> modalityIndex = new(StringComparer.Ordinal);

    /// <summary>Task names, by prior index.</summary>
    public IReadOnlyList<string> Tasks => tasks;

    /// <summary>Modality names, by prior index (the unknown modality is not listed; its index is −1).</summary>
    public IReadOnlyList<string> Modalities => modalities;

    /// <summary>
    /// The task vocabulary size tn of a model trained on this vocabulary: every named task plus one id that the loss
    /// silences (the reference's 71 tasks give tn = 72). The model's task table has tn + 1 rows, the null token last.
    /// </summary>
    public int ModelTaskCount => tasks.Count + 1;

    /// <summary>
    /// The modality vocabulary size mn of a model trained on this vocabulary: every named modality plus the unknown slot,
    /// the last row, which index −1 (<see cref="UnknownModality"/>) selects (the reference's 5 modalities give mn = 6).
    /// Sizing a model to <see cref="Modalities"/> alone would make −1 select the last named modality's prior.
    /// </summary>
    public int ModelModalityCount => modalities.Count + 1;

    /// <summary>Returns the index of a task, appending it when new.</summary>
    /// <param name="name">The task name.</param>
    /// <returns>Its prior index.</returns>
    public int AddTask(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (taskIndex.TryGetValue(name, out var i))
        {
            return i;
        }

        tasks.Add(name);
        taskIndex[name] = tasks.Count - 1;
        return tasks.Count - 1;
    }

    /// <summary>Returns the index of a modality, appending it when new.</summary>
    /// <param name="name">The modality name; <see cref="UnknownModality"/> returns −1.</param>
    /// <returns>Its prior index.</returns>
    public int AddModality(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (name == UnknownModality)
        {
            return -1;
        }

        if (modalityIndex.TryGetValue(name, out var i))
        {
            return i;
        }

        modalities.Add(name);
        modalityIndex[name] = modalities.Count - 1;
        return modalities.Count - 1;
    }

    /// <summary>The prior index of a task.</summary>
    /// <param name="name">The task name.</param>
    /// <returns>The index.</returns>
    /// <exception cref="KeyNotFoundException">The task is not in the vocabulary.</exception>
    public int TaskIndex(string name) => taskIndex.TryGetValue(name, out var i)
        ? i
        : throw new KeyNotFoundException($"Task '{name}' is not in the vocabulary ({tasks.Count} tasks).");

    /// <summary>Whether a modality name is known (the unknown modality always is).</summary>
    /// <param name="name">The modality name.</param>
    /// <returns><see langword="true"/> when known.</returns>
    public bool HasModality(string name) => name == UnknownModality || modalityIndex.ContainsKey(name);

    /// <summary>The prior index of a modality (−1 for <see cref="UnknownModality"/>).</summary>
    /// <param name="name">The modality name.</param>
    /// <returns>The index.</returns>
    /// <exception cref="KeyNotFoundException">The modality is not in the vocabulary.</exception>
    public int ModalityIndex(string name) => name == UnknownModality
        ? -1
        : modalityIndex.TryGetValue(name, out var i)
            ? i
            : throw new KeyNotFoundException($"Modality '{name}' is unknown; known: {string.Join(", ", modalities)}, {UnknownModality}.");

    /// <summary>Whether this vocabulary keeps every index of <paramref name="older"/> (it is <paramref name="older"/> plus appended names).</summary>
    /// <param name="older">An earlier vocabulary, e.g. the one saved with a model.</param>
    /// <returns><see langword="true"/> when every task and modality of <paramref name="older"/> has the same index here.</returns>
    public bool Extends(TaskVocabulary older)
    {
        ArgumentNullException.ThrowIfNull(older);
        return older.tasks.Count <= tasks.Count && older.modalities.Count <= modalities.Count
            && older.tasks.SequenceEqual(tasks.Take(older.tasks.Count), StringComparer.Ordinal)
            && older.modalities.SequenceEqual(modalities.Take(older.modalities.Count), StringComparer.Ordinal);
    }

    /// <summary>A copy that can grow independently.</summary>
    /// <returns>The copy.</returns>
    public TaskVocabulary Clone()
    {
        var v = new TaskVocabulary();
        foreach (var t in tasks)
        {
            v.AddTask(t);
        }

        foreach (var m in modalities)
        {
            v.AddModality(m);
        }

        return v;
    }

    /// <summary>The vocabulary as JSON <c>{"tasks": [...], "modalities": [...]}</c> (index = position), e.g. for a model sidecar.</summary>
    /// <returns>Compact JSON.</returns>
    public string ToJsonString() => ToJson().ToJsonString();

    /// <summary>Reads a vocabulary written by <see cref="ToJsonString"/>.</summary>
    /// <param name="json">The JSON text.</param>
    /// <returns>The vocabulary.</returns>
    /// <exception cref="FormatException">The JSON is malformed, or a name is empty or repeated.</exception>
    public static TaskVocabulary Parse(string json)
    {
        ArgumentNullException.ThrowIfNull(json);
        try
        {
            return FromJson(JsonNode.Parse(json), "task vocabulary");
        }
        catch (System.Text.Json.JsonException ex)
        {
            throw new FormatException($"task vocabulary: invalid JSON ({ex.Message}).", ex);
        }
    }

    internal JsonObject ToJson() => new()
    {
        ["tasks"] = new JsonArray([.. tasks.Select(t => (JsonNode?)JsonValue.Create(t))]),
        ["modalities"] = new JsonArray([.. modalities.Select(m => (JsonNode?)JsonValue.Create(m))]),
    };

    internal static TaskVocabulary FromJson(JsonNode? node, string source)
    {
        if (node is not JsonObject o)
        {
            throw new FormatException($"{source}: 'vocabulary' must be an object with 'tasks' and 'modalities'.");
        }

        var v = new TaskVocabulary();
        foreach (var (key, add) in new (string, Func<string, int>)[] { ("tasks", v.AddTask), ("modalities", v.AddModality) })
        {
            if (o[key] is not JsonArray list)
            {
                throw new FormatException($"{source}: 'vocabulary.{key}' must be an array of names.");
            }

            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (var item in list)
            {
                var name = item is JsonValue jv && jv.TryGetValue<string>(out var s) && !string.IsNullOrWhiteSpace(s)
                    ? s
                    : throw new FormatException($"{source}: 'vocabulary.{key}' holds a non-string or empty entry.");
                if (!seen.Add(name) || (key == "modalities" && name == UnknownModality))
                {
                    throw new FormatException($"{source}: 'vocabulary.{key}' lists '{name}' twice or reserves it; names must be unique.");
                }

                add(name);
            }
        }

        return v;
    }
}
