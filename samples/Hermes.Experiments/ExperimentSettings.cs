using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Hermes.Experiments;

/// <summary>
/// One experiment, as written in <c>experiments/NAME.json</c>: the model, training, preprocessing and inference settings
/// and the datasets (each with its labels, modality and validation split). A <c>Quick</c> object in the same file holds
/// overrides for <c>--quick</c> (merged over the file, object by object), so the full and quick runs share everything else.
/// </summary>
public sealed record ExperimentSettings
{
    /// <summary>The experiment name (output file stem, model name).</summary>
    public required string Name { get; init; }

    /// <summary>One line saying what the experiment measures.</summary>
    public string Description { get; init; } = "";

    /// <summary>Model settings.</summary>
    public ModelSettings Model { get; init; } = new();

    /// <summary>Training settings.</summary>
    public TrainingSettings Training { get; init; } = new();

    /// <summary>Preprocessing settings.</summary>
    public PreprocessingSettings Preprocessing { get; init; } = new();

    /// <summary>Inference settings of every evaluation (the same ones <c>hermes predict</c> uses by default).</summary>
    public InferenceSettings Inference { get; init; } = new();

    /// <summary>The datasets trained on (and validated on, per their split).</summary>
    public IReadOnlyList<DatasetSelection> Datasets { get; init; } = [];

    /// <summary>Validation cases drawn as overlay PNGs.</summary>
    public int OverlayCases { get; init; } = 3;

    /// <summary>Whether <c>--quick</c> settings are in force (set by the loader, not the file).</summary>
    public bool IsQuick { get; init; }

    private static readonly JsonSerializerOptions JsonOptions = new()
    {
        PropertyNameCaseInsensitive = true,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
    };

    /// <summary>These settings with <see cref="TrainingSettings.Threads"/> replaced (the <c>--threads</c> option).</summary>
    /// <param name="threads">The intra-op thread count, or <see langword="null"/> to keep the file's.</param>
    /// <returns>The settings.</returns>
    /// <exception cref="InvalidDataException">The count is below 1.</exception>
    public ExperimentSettings WithThreads(int? threads) => threads switch
    {
        null => this,
        < 1 => throw new InvalidDataException($"--threads {threads}: expected a whole number ≥ 1."),
        _ => this with { Training = Training with { Threads = threads.Value } },
    };

    /// <summary>Reads an experiment file; with <paramref name="quick"/>, its <c>Quick</c> object is merged over it first.</summary>
    /// <param name="path">The JSON file.</param>
    /// <param name="quick">Apply the quick overrides.</param>
    /// <returns>The validated settings.</returns>
    /// <exception cref="InvalidDataException">The file is malformed or a setting is invalid; the message names the file and setting.</exception>
    public static ExperimentSettings Load(string path, bool quick)
    {
        JsonObject root;
        try
        {
            root = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true }) as JsonObject
                ?? throw new InvalidDataException($"{path}: expected a JSON object.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: invalid JSON ({e.Message}).", e);
        }

        var overrides = root["Quick"] as JsonObject;
        root.Remove("Quick");
        if (quick)
        {
            if (overrides is null)
            {
                throw new InvalidDataException($"{path}: --quick needs a 'Quick' object of overrides.");
            }

            Merge(root, overrides);
        }

        ExperimentSettings settings;
        try
        {
            settings = root.Deserialize<ExperimentSettings>(JsonOptions) ?? throw new InvalidDataException($"{path}: empty settings.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: {e.Message}", e);
        }

        settings = settings with { IsQuick = quick };
        settings.Validate(path);
        return settings;
    }

    /// <summary>Checks every setting.</summary>
    /// <param name="source">The file name for messages.</param>
    /// <exception cref="InvalidDataException">A setting is invalid.</exception>
    public void Validate(string source)
    {
        var ic = CultureInfo.InvariantCulture;
        void Require(bool ok, string setting, object? value, string expected)
        {
            if (!ok)
            {
                throw new InvalidDataException(string.Create(ic, $"{source}: {setting} = {Show(value)} is invalid: expected {expected}."));
            }
        }

        Require(!string.IsNullOrWhiteSpace(Name) && Name.All(c => char.IsLetterOrDigit(c) || c is '-' or '_'), "Name", Name, "letters, digits, '-' or '_'");
        Require(Model.Kind is ModelSettings.HermesR or ModelSettings.TaskSpecificResUNet, "Model.Kind", Model.Kind, $"'{ModelSettings.HermesR}' or '{ModelSettings.TaskSpecificResUNet}'");
        Require(Model.BaseChannels >= 8, "Model.BaseChannels", Model.BaseChannels, "≥ 8 (narrower float32 models gave intermittent NaN on an AVX-512 VM in November 2026; not reproduced since, docs/training.md)");
        Require(Model.PatchSize.Count == 3 && Model.PatchSize.All(p => p >= 32 && p % 16 == 0), "Model.PatchSize", Model.PatchSize, "three sizes (D, H, W), each a multiple of 16 and ≥ 32");
        var t = Training;
        Require(t.Steps >= 1, "Training.Steps", t.Steps, "≥ 1");
        Require(t.StepsPerEpoch >= 1 && t.Steps % t.StepsPerEpoch == 0, "Training.StepsPerEpoch", t.StepsPerEpoch, "≥ 1 and a divisor of Training.Steps");
        Require(t.BatchSize >= 1, "Training.BatchSize", t.BatchSize, "≥ 1");
        Require(Enum.IsDefined(t.Optimizer), "Training.Optimizer", t.Optimizer, "'adamw' or 'lamb'");
        Require(t.MaxGradNorm is null || (t.MaxGradNorm > 0 && !double.IsNaN(t.MaxGradNorm.Value)), "Training.MaxGradNorm", t.MaxGradNorm, "> 0 (or absent for the optimiser's default)");
        Require(double.IsFinite(t.LearningRate) && t.LearningRate > 0, "Training.LearningRate", t.LearningRate, "> 0");
        Require(double.IsFinite(t.WeightDecay) && t.WeightDecay >= 0, "Training.WeightDecay", t.WeightDecay, "≥ 0");
        Require(double.IsFinite(t.WarmupEpochs) && t.WarmupEpochs >= 0 && t.WarmupEpochs < (double)t.Steps / t.StepsPerEpoch, "Training.WarmupEpochs", t.WarmupEpochs, "≥ 0 and fewer than the run's epochs (Steps / StepsPerEpoch)");
        Require(t.EmaDecay is >= 0 and < 1, "Training.EmaDecay", t.EmaDecay, "in [0, 1)");
        Require(t.ForegroundRatio is >= 0 and <= 1, "Training.ForegroundRatio", t.ForegroundRatio, "in [0, 1]");
        Require(t.Threads >= 0, "Training.Threads", t.Threads, "≥ 0 (0: every core)");
        Require(t.ValidateEveryEpochs >= 0, "Training.ValidateEveryEpochs", t.ValidateEveryEpochs, "≥ 0");
        Require(Preprocessing.TargetSpacing.Count == 3 && Preprocessing.TargetSpacing.All(s => double.IsFinite(s) && s > 0), "Preprocessing.TargetSpacing", Preprocessing.TargetSpacing, "three positive spacings in mm");
        Require(Inference.Overlap is >= 0 and < 1, "Inference.Overlap", Inference.Overlap, "in [0, 1)");
        Require(Inference.ToleranceMm > 0, "Inference.ToleranceMm", Inference.ToleranceMm, "> 0");
        Require(Datasets.Count >= 1, "Datasets", Datasets.Count, "at least one dataset");
        Require(Datasets.Select(d => d.Name).Distinct(StringComparer.Ordinal).Count() == Datasets.Count, "Datasets[].Name", string.Join(", ", Datasets.Select(d => d.Name)), "unique names");
        Require(OverlayCases >= 0, "OverlayCases", OverlayCases, "≥ 0");
        foreach (var d in Datasets)
        {
            d.Validate(source);
        }

        if (Model.Kind == ModelSettings.TaskSpecificResUNet)
        {
            Require(Datasets.Count == 1, "Datasets", Datasets.Count, "exactly one dataset for a task-specific model");
        }

        Require(Datasets.Any(d => d.Validation.HoldsOut), "Datasets[].Validation", "none", "at least one dataset with held-out validation cases");
    }

    private static void Merge(JsonObject target, JsonObject overrides)
    {
        foreach (var (key, value) in overrides.ToList())
        {
            if (value is JsonObject child && target[key] is JsonObject existing)
            {
                Merge(existing, child);
            }
            else
            {
                target[key] = value?.DeepClone();
            }
        }
    }

    private static string Show(object? value) => value switch
    {
        null => "null",
        string s => $"'{s}'",
        IEnumerable<int> a => $"[{string.Join(", ", a)}]",
        IEnumerable<double> a => $"[{string.Join(", ", a.Select(x => x.ToString(CultureInfo.InvariantCulture)))}]",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
