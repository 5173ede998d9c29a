using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Hermes.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Training;

/// <summary>Reads and writes the trainer's checkpoint file (see <see cref="Trainer.SaveCheckpoint"/>).</summary>
internal static class TrainingCheckpoint
{
    public const string FormatName = "hermes-training";
    public const int FormatVersion = 1;
    private const string ModelPrefix = "model.";
    private const string EmaPrefix = "ema.";
    private const string OptimizerPrefix = "optimizer.";
    private const string RngKey = "rng.torch";

    public static void Save(string path, Trainer trainer, string schedule)
    {
        using var scope = NewDisposeScope();
        var tensors = new Dictionary<string, Tensor>(StringComparer.Ordinal);
        foreach (var (name, t) in trainer.Model.state_dict())
        {
            tensors[ModelPrefix + name] = t;
        }

        if (trainer.AverageModel is not null)
        {
            foreach (var (name, t) in trainer.AverageModel.state_dict())
            {
                tensors[EmaPrefix + name] = t;
            }
        }

        foreach (var (name, t) in trainer.Optimizer.StateDict())
        {
            tensors[OptimizerPrefix + name] = t;
        }

        tensors[RngKey] = random.get_rng_state();
        var options = trainer.Options;
        var json = new JsonObject
        {
            ["format"] = FormatName,
            ["format_version"] = FormatVersion,
            ["step"] = trainer.Step,
            ["epoch"] = trainer.Epoch,
            ["epochs"] = options.Epochs,
            ["steps_per_epoch"] = options.StepsPerEpoch,
            ["seed"] = options.Seed,
            ["optimizer"] = trainer.Optimizer.Name,
            ["optimizer_steps"] = trainer.Optimizer.StepCount,
            ["learning_rate"] = trainer.Optimizer.LearningRate,
            ["schedule"] = schedule,
            ["ema"] = trainer.AverageModel is not null,
            ["ema_decay"] = options.EmaDecay,
            ["best_mean_dice"] = double.IsFinite(trainer.BestMeanDice) ? trainer.BestMeanDice : null,
            ["tasks"] = new JsonArray([.. options.Tasks.Select(t => (JsonNode?)t)]),
            ["modalities"] = new JsonArray([.. options.Modalities.Select(t => (JsonNode?)t)]),
            ["saved_utc"] = DateTime.UtcNow.ToString("O", CultureInfo.InvariantCulture),
        };
        SafeTensors.Save(path, tensors, new Dictionary<string, string> { [Trainer.CheckpointMetadataKey] = json.ToJsonString() });
    }

    public static (long Step, double BestMeanDice) Load(string path, Trainer trainer)
    {
        var metadata = SafeTensors.ReadMetadata(path);
        if (!metadata.TryGetValue(Trainer.CheckpointMetadataKey, out var text))
        {
            throw new InvalidDataException($"{path}: not a training checkpoint (no '{Trainer.CheckpointMetadataKey}' metadata entry).");
        }

        JsonObject json;
        try
        {
            json = JsonNode.Parse(text) as JsonObject ?? throw new InvalidDataException($"{path}: the training metadata is not a JSON object.");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{path}: the training metadata is not valid JSON: {e.Message}", e);
        }

        Expect(path, json, "format", FormatName);
        var version = Read<int>(path, json, "format_version");
        if (version != FormatVersion)
        {
            throw new InvalidDataException($"{path}: field 'format_version' = {version}; this version reads {FormatVersion}.");
        }

        var options = trainer.Options;
        Expect(path, json, "optimizer", trainer.Optimizer.Name);
        var stepsPerEpoch = Read<int>(path, json, "steps_per_epoch");
        if (stepsPerEpoch != options.StepsPerEpoch)
        {
            throw new InvalidDataException(
                $"{path}: field 'steps_per_epoch' = {stepsPerEpoch}, but the trainer has StepsPerEpoch = {options.StepsPerEpoch}.");
        }

        CheckVocabulary(path, json, "tasks", options.Tasks);
        CheckVocabulary(path, json, "modalities", options.Modalities);
        var hasEma = Read<bool>(path, json, "ema");
        if (hasEma != (trainer.AverageModel is not null))
        {
            throw new InvalidDataException(hasEma
                ? $"{path}: the checkpoint holds EMA weights but the trainer has no averaged model."
                : $"{path}: the checkpoint holds no EMA weights but the trainer has an averaged model.");
        }

        var step = Read<long>(path, json, "step");
        var best = json["best_mean_dice"] is JsonValue v && v.TryGetValue<double>(out var d) ? d : double.NaN;

        var tensors = SafeTensors.Load(path);
        try
        {
            StateDictLoader.Load(trainer.Model, Strip(tensors, ModelPrefix), strict: true);
            if (trainer.AverageModel is not null)
            {
                StateDictLoader.Load(trainer.AverageModel, Strip(tensors, EmaPrefix), strict: true);
            }

            trainer.Optimizer.LoadStateDict(Strip(tensors, OptimizerPrefix));
            if (!tensors.TryGetValue(RngKey, out var rng))
            {
                throw new InvalidDataException($"{path}: no '{RngKey}' tensor (torch generator state).");
            }

            random.set_rng_state(rng);
            trainer.Optimizer.LearningRate = Read<double>(path, json, "learning_rate");
        }
        finally
        {
            foreach (var t in tensors.Values)
            {
                t.Dispose();
            }
        }

        return (step, best);
    }

    private static Dictionary<string, Tensor> Strip(IReadOnlyDictionary<string, Tensor> tensors, string prefix) =>
        tensors.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value, StringComparer.Ordinal);

    private static void CheckVocabulary(string path, JsonObject json, string field, IReadOnlyList<string> expected)
    {
        var saved = json[field] is JsonArray a ? a.Select(n => n?.GetValue<string>() ?? string.Empty).ToArray() : [];
        if (saved.Length > 0 && expected.Count > 0 && !saved.SequenceEqual(expected, StringComparer.Ordinal))
        {
            var i = Enumerable.Range(0, Math.Min(saved.Length, expected.Count)).FirstOrDefault(k => saved[k] != expected[k], Math.Min(saved.Length, expected.Count));
            throw new InvalidDataException(
                $"{path}: the saved {field} vocabulary ({saved.Length} entries) differs from the trainer's ({expected.Count}) at index {i}: '{(i < saved.Length ? saved[i] : "<none>")}' vs '{(i < expected.Count ? expected[i] : "<none>")}'.");
        }
    }

    private static void Expect(string path, JsonObject json, string field, string expected)
    {
        var value = Read<string>(path, json, field);
        if (value != expected)
        {
            throw new InvalidDataException($"{path}: field '{field}' = '{value}', expected '{expected}'.");
        }
    }

    private static T Read<T>(string path, JsonObject json, string field)
    {
        if (json[field] is JsonValue value && value.TryGetValue<T>(out var result))
        {
            return result;
        }

        throw new InvalidDataException($"{path}: field '{field}' is missing or not a {typeof(T).Name}.");
    }
}
