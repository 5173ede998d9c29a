using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hermes.Data;
using Hermes.IO;
using Hermes.Preprocessing;
using Hermes.Runtime;

namespace Hermes.Checkpoints;

/// <summary>
/// The JSON file written beside a model's weights (<c>&lt;name&gt;.json</c> next to <c>&lt;name&gt;.safetensors</c>): the
/// architecture and its options, the ordered task and modality vocabularies (index = the model's task/modality id) and
/// the preprocessing needed to use the model. Loading checks the format version and every field.
/// </summary>
public sealed record ModelSidecar
{
    /// <summary>The format version this library writes and reads.</summary>
    public const int CurrentFormatVersion = 1;

    /// <summary>The value of the JSON <c>format</c> field.</summary>
    public const string FormatName = "hermes-model";

    /// <summary>The largest side of <see cref="SidecarPreprocessing.PatchSize"/> accepted (a crafted sidecar must not make a reader allocate hundreds of GB).</summary>
    public const int MaxPatchSide = 1024;

    /// <summary>The largest voxel count of <see cref="SidecarPreprocessing.PatchSize"/> accepted (512³).</summary>
    public const long MaxPatchVoxels = 1L << 27;

    /// <summary>The sidecar format version (<see cref="CurrentFormatVersion"/> when created here).</summary>
    public int FormatVersion { get; init; } = CurrentFormatVersion;

    /// <summary>The architecture's name (for example <c>hermes-r</c> or <c>hermes-m</c>).</summary>
    public required string Architecture { get; init; }

    /// <summary>The architecture's options as a JSON object (what a builder needs to rebuild the model).</summary>
    public required JsonObject ArchitectureOptions { get; init; }

    /// <summary>Task names, in task-id order.</summary>
    public required IReadOnlyList<string> Tasks { get; init; }

    /// <summary>Modality names, in modality-id order.</summary>
    public required IReadOnlyList<string> Modalities { get; init; }

    /// <summary>The preprocessing the model expects.</summary>
    public required SidecarPreprocessing Preprocessing { get; init; }

    /// <summary>Checks every field; throws <see cref="ArgumentException"/> naming the first problem.</summary>
    /// <exception cref="ArgumentException">A field is invalid.</exception>
    public void Validate()
    {
        if (Problem() is { } problem)
        {
            throw new ArgumentException($"Invalid model sidecar: {problem.Field}: {problem.Expected}.");
        }
    }

    /// <summary>Writes the sidecar as indented JSON, atomically.</summary>
    /// <param name="path">The destination file.</param>
    /// <exception cref="ArgumentException">A field is invalid.</exception>
    public void Save(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Validate();
        var json = Encoding.UTF8.GetBytes(ToJson().ToJsonString(new JsonSerializerOptions { WriteIndented = true }) + "\n");
        AtomicFile.Write(path, s => s.Write(json));
    }

    /// <summary>Reads and validates a sidecar file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The sidecar.</returns>
    /// <exception cref="CheckpointFormatException">The JSON is malformed, a field is missing or invalid, or the format version is unknown.</exception>
    public static ModelSidecar Load(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var length = new FileInfo(path).Length;
        if (length > 64L << 20)
        {
            throw new CheckpointFormatException(path, null, "size", $"{length} bytes", "a sidecar of at most 64 MiB");
        }

        JsonNode? root;
        try
        {
            root = JsonNode.Parse(File.ReadAllBytes(path), documentOptions: new JsonDocumentOptions { MaxDepth = 64 });
        }
        catch (JsonException e)
        {
            throw new CheckpointFormatException(path, null, "JSON", e.Message, "a well-formed JSON object", e);
        }

        var reader = new Reader(path);
        var o = reader.Object(root, "$");
        var format = reader.String(o, "format");
        if (format != FormatName)
        {
            throw new CheckpointFormatException(path, null, "format", format, $"'{FormatName}'");
        }

        var version = reader.Int(o, "format_version");
        if (version != CurrentFormatVersion)
        {
            throw new CheckpointFormatException(path, null, "format_version", version.ToString(CultureInfo.InvariantCulture),
                $"{CurrentFormatVersion} (this library reads sidecar format version {CurrentFormatVersion} only)");
        }

        var architecture = reader.Object(o["architecture"], "architecture");
        var pre = reader.Object(o["preprocessing"], "preprocessing");
        var normalization = new Dictionary<string, IntensityNormalization>(StringComparer.Ordinal);
        foreach (var (name, node) in reader.Object(pre["normalization"], "preprocessing.normalization"))
        {
            var field = $"preprocessing.normalization.{name}";
            var n = reader.Object(node, field);
            var clipName = reader.String(n, "clip", field);
            var clip = IntensityNormalization.ParseClip(clipName)
                ?? throw new CheckpointFormatException(path, null, $"{field}.clip", clipName, "'fixed', 'percentiles' or 'none'");
            var lower = clip == IntensityClipMode.None ? 0 : reader.Double(n, "lower", field);
            var upper = clip == IntensityClipMode.None ? 0 : reader.Double(n, "upper", field);
            normalization[name] = new IntensityNormalization(clip, lower, upper, reader.Bool(n, "zscore", field));
        }

        var sidecar = new ModelSidecar
        {
            FormatVersion = version,
            Architecture = reader.String(architecture, "name", "architecture"),
            ArchitectureOptions = reader.Object(architecture["options"], "architecture.options").DeepClone().AsObject(),
            Tasks = reader.Strings(o, "tasks"),
            Modalities = reader.Strings(o, "modalities"),
            Preprocessing = new SidecarPreprocessing(
                reader.Doubles(pre, "target_spacing", "preprocessing"),
                normalization,
                reader.Doubles(pre, "patch_size", "preprocessing").Select(v => reader.ToInt(v, "preprocessing.patch_size")).ToArray()),
        };

        if (sidecar.Problem() is { } problem)
        {
            throw new CheckpointFormatException(path, null, problem.Field, problem.Value, problem.Expected);
        }

        return sidecar;
    }

    private JsonObject ToJson()
    {
        var normalization = new JsonObject();
        foreach (var (name, n) in Preprocessing.Normalization)
        {
            normalization[name] = n.ToJson();
        }

        return new JsonObject
        {
            ["format"] = FormatName,
            ["format_version"] = FormatVersion,
            ["architecture"] = new JsonObject { ["name"] = Architecture, ["options"] = ArchitectureOptions.DeepClone() },
            ["tasks"] = new JsonArray(Tasks.Select(t => (JsonNode?)JsonValue.Create(t)).ToArray()),
            ["modalities"] = new JsonArray(Modalities.Select(m => (JsonNode?)JsonValue.Create(m)).ToArray()),
            ["preprocessing"] = new JsonObject
            {
                ["target_spacing"] = new JsonArray(Preprocessing.TargetSpacing.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray()),
                ["normalization"] = normalization,
                ["patch_size"] = new JsonArray(Preprocessing.PatchSize.Select(v => (JsonNode?)JsonValue.Create(v)).ToArray()),
            },
        };
    }

    private (string Field, string Value, string Expected)? Problem()
    {
        if (FormatVersion != CurrentFormatVersion)
        {
            return ("format_version", FormatVersion.ToString(CultureInfo.InvariantCulture), $"{CurrentFormatVersion}");
        }

        if (string.IsNullOrWhiteSpace(Architecture))
        {
            return ("architecture.name", "an empty name", "a non-empty architecture name");
        }

        if (ArchitectureOptions is null)
        {
            return ("architecture.options", "nothing", "a JSON object");
        }

        if (VocabularyProblem(Tasks, "tasks") is { } t)
        {
            return t;
        }

        if (VocabularyProblem(Modalities, "modalities") is { } m)
        {
            return m;
        }

        if (Preprocessing is null)
        {
            return ("preprocessing", "nothing", "target_spacing, normalization and patch_size");
        }

        var spacing = Preprocessing.TargetSpacing;
        if (spacing is null || spacing.Count != 3 || spacing.Any(s => !double.IsFinite(s) || s <= 0))
        {
            return ("preprocessing.target_spacing", spacing is null ? "nothing" : $"[{string.Join(", ", spacing)}]", "three positive finite spacings in mm");
        }

        var patch = Preprocessing.PatchSize;
        if (patch is null || patch.Count != 3 || patch.Any(p => p <= 0 || p > MaxPatchSide) || patch.Aggregate(1L, (a, p) => a * p) > MaxPatchVoxels)
        {
            return ("preprocessing.patch_size", patch is null ? "nothing" : $"[{string.Join(", ", patch)}]",
                $"three positive voxel counts of at most {MaxPatchSide} each and {MaxPatchVoxels} in all (512³; the published model uses 128³)");
        }

        var normalization = Preprocessing.Normalization ?? new Dictionary<string, IntensityNormalization>();
        foreach (var (name, n) in normalization)
        {
            if (!Modalities.Contains(name) && name != TaskVocabulary.UnknownModality)
            {
                return ($"preprocessing.normalization.{name}", "an unknown modality", $"one of the modalities [{string.Join(", ", Modalities)}] or '{TaskVocabulary.UnknownModality}'");
            }

            if (n.Validate() is { } problem)
            {
                return ($"preprocessing.normalization.{name}", $"{IntensityNormalization.ClipName(n.Clip)} [{n.Lower}, {n.Upper}]", problem);
            }
        }

        var uncovered = Modalities.Where(m => !normalization.ContainsKey(m)).ToList();
        return uncovered.Count > 0
            ? ("preprocessing.normalization", $"no entry for [{string.Join(", ", uncovered)}]", "a normalisation for every modality")
            : null;
    }

    private static (string Field, string Value, string Expected)? VocabularyProblem(IReadOnlyList<string>? names, string field)
    {
        if (names is null || names.Count == 0)
        {
            return (field, "an empty list", "at least one name");
        }

        if (names.Any(string.IsNullOrWhiteSpace))
        {
            return (field, "an empty name", "non-empty names");
        }

        var duplicate = names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        return duplicate is not null ? (field, $"'{duplicate.Key}' twice", "unique names") : null;
    }

    private sealed class Reader(string path)
    {
        public JsonObject Object(JsonNode? node, string field) =>
            node as JsonObject ?? throw new CheckpointFormatException(path, null, field, Kind(node), "a JSON object");

        public string String(JsonObject o, string name, string? parent = null)
        {
            var node = o[name];
            return node is JsonValue v && v.TryGetValue<string>(out var s)
                ? s
                : throw new CheckpointFormatException(path, null, Join(parent, name), Kind(node), "a string");
        }

        public int Int(JsonObject o, string name)
        {
            var node = o[name];
            return node is JsonValue v && v.TryGetValue<int>(out var i)
                ? i
                : throw new CheckpointFormatException(path, null, name, Kind(node), "an integer");
        }

        public bool Bool(JsonObject o, string name, string parent)
        {
            var node = o[name];
            return node is JsonValue v && v.TryGetValue<bool>(out var b)
                ? b
                : throw new CheckpointFormatException(path, null, Join(parent, name), Kind(node), "true or false");
        }

        public double Double(JsonObject o, string name, string parent)
        {
            var node = o[name];
            return node is JsonValue v && v.TryGetValue<double>(out var d)
                ? d
                : throw new CheckpointFormatException(path, null, Join(parent, name), Kind(node), "a number");
        }

        public IReadOnlyList<string> Strings(JsonObject o, string name)
        {
            var node = o[name];
            if (node is not JsonArray a)
            {
                throw new CheckpointFormatException(path, null, name, Kind(node), "an array of strings");
            }

            return a.Select(e => e is JsonValue v && v.TryGetValue<string>(out var s)
                ? s
                : throw new CheckpointFormatException(path, null, name, Kind(e), "an array of strings")).ToArray();
        }

        public double[] Doubles(JsonObject o, string name, string parent)
        {
            var node = o[name];
            if (node is not JsonArray a)
            {
                throw new CheckpointFormatException(path, null, Join(parent, name), Kind(node), "an array of three numbers");
            }

            return a.Select(e => e is JsonValue v && v.TryGetValue<double>(out var d)
                ? d
                : throw new CheckpointFormatException(path, null, Join(parent, name), Kind(e), "an array of numbers")).ToArray();
        }

        public int ToInt(double value, string field) =>
            value == Math.Floor(value) && value is >= 1 and <= int.MaxValue
                ? (int)value
                : throw new CheckpointFormatException(path, null, field, value.ToString(CultureInfo.InvariantCulture), "positive integers");

        private static string Join(string? parent, string name) => parent is null ? name : $"{parent}.{name}";

        private static string Kind(JsonNode? node) => node is null ? "nothing (missing)" : node.ToJsonString();
    }
}
