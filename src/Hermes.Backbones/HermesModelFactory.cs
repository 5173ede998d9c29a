using System.Text.Json;
using Hermes.Abstractions;
using Hermes.Runtime;

namespace Hermes.Backbones;

/// <summary>
/// Builds Hermes-R or Hermes-M from a reference architecture description (the JSON of a fixture's
/// <c>config.json</c> or a manifest's <c>config</c>: <c>arch</c>, <c>in_chan</c>, <c>base_chan</c>, <c>tn</c>, <c>mn</c>, …).
/// </summary>
public static class HermesModelFactory
{
    /// <summary>Hermes-R's architecture name in a model sidecar (<c>architecture.name</c>).</summary>
    public const string HermesRName = "hermes-r";

    /// <summary>Hermes-M's architecture name in a model sidecar.</summary>
    public const string HermesMName = "hermes-m";

    /// <summary>
    /// The backbone an architecture name stands for — the one mapping of these names: a sidecar's <c>hermes-r</c> /
    /// <c>hermes-m</c> or a reference configuration's <c>arch</c> (<c>resunet</c> / <c>medformer</c>, also the names the
    /// backbones register under), case-insensitive.
    /// </summary>
    /// <param name="architecture">The name.</param>
    /// <returns><c>resunet</c> or <c>medformer</c>; <see langword="null"/> for any other name.</returns>
    public static string? BackboneOf(string? architecture) => architecture?.ToLowerInvariant() switch
    {
        HermesRName or "resunet" => "resunet",
        HermesMName or "medformer" => "medformer",
        _ => null,
    };

    /// <summary>The sidecar architecture name of a backbone (<c>resunet</c> → <c>hermes-r</c>, <c>medformer</c> → <c>hermes-m</c>).</summary>
    /// <param name="backbone">The backbone name (or a sidecar name).</param>
    /// <returns>The sidecar name; <see langword="null"/> for a backbone this factory cannot build.</returns>
    public static string? SidecarNameOf(string? backbone) => BackboneOf(backbone) switch
    {
        "resunet" => HermesRName,
        "medformer" => HermesMName,
        _ => null,
    };

    /// <summary>Reads a JSON file and builds the model it describes.</summary>
    /// <param name="path">Path of the JSON file.</param>
    /// <exception cref="InvalidDataException">A field is missing or invalid; the message names the file and field.</exception>
    public static UniversalSegmenter FromConfigFile(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        HermesRuntime.EnsureInitialized();
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement;
        if (root.TryGetProperty("config", out var nested) && nested.ValueKind == JsonValueKind.Object)
        {
            root = nested;
        }

        return FromConfig(root, path);
    }

    /// <summary>Builds the model a JSON object describes.</summary>
    /// <param name="config">The configuration object.</param>
    /// <param name="source">Where it came from (for error messages).</param>
    public static UniversalSegmenter FromConfig(JsonElement config, string source = "config")
    {
        HermesRuntime.EnsureInitialized();
        var arch = String(config, "arch", source);
        return BackboneOf(arch) switch
        {
            "resunet" => HermesR.Create(ReadHermesR(config, source)),
            "medformer" => HermesM.Create(ReadHermesM(config, source)),
            _ => throw new InvalidDataException($"{source}: field 'arch' = '{arch}' is not supported (expected 'resunet' or 'medformer')."),
        };
    }

    /// <summary>Reads Hermes-R options from a reference configuration object.</summary>
    /// <param name="config">The configuration object.</param>
    /// <param name="source">Where it came from (for error messages).</param>
    public static HermesROptions ReadHermesR(JsonElement config, string source = "config") => new()
    {
        Backbone = new ResUNetOptions
        {
            InputChannels = Int(config, "in_chan", source, 1),
            BaseChannels = Int(config, "base_chan", source, 32),
            Blocks = Ints(config, "num_block", source) ?? [2, 2, 2, 2],
        },
        TaskCount = Int(config, "tn", source, 72),
        ModalityCount = Int(config, "mn", source, 6),
    };

    /// <summary>Reads Hermes-M options from a reference configuration object.</summary>
    /// <param name="config">The configuration object.</param>
    /// <param name="source">Where it came from (for error messages).</param>
    public static HermesMOptions ReadHermesM(JsonElement config, string source = "config")
    {
        var d = new MedFormerOptions();
        var mapSize = Ints(config, "map_size", source);
        return new HermesMOptions
        {
            Backbone = new MedFormerOptions
            {
                InputChannels = Int(config, "in_chan", source, d.InputChannels),
                BaseChannels = Int(config, "base_chan", source, d.BaseChannels),
                Channels = Ints(config, "chan_num", source) ?? d.Channels,
                ConvBlocks = Ints(config, "conv_num", source) ?? d.ConvBlocks,
                TransformerBlocks = Ints(config, "trans_num", source) ?? d.TransformerBlocks,
                Heads = Ints(config, "num_heads", source) ?? d.Heads,
                MapSize = mapSize is null ? d.MapSize : mapSize.Aggregate(1, (a, b) => a * b),
                FusionDepth = Int(config, "fusion_depth", source, d.FusionDepth),
                FusionDim = Int(config, "fusion_dim", source, d.FusionDim),
                FusionHeads = Int(config, "fusion_heads", source, d.FusionHeads),
                Expansion = Int(config, "expansion", source, d.Expansion),
            },
            TaskCount = Int(config, "tn", source, 72),
            ModalityCount = Int(config, "mn", source, 6),
            AuxiliaryHead = !config.TryGetProperty("aux_loss", out var aux) || aux.ValueKind != JsonValueKind.False,
        };
    }

    private static string String(JsonElement config, string field, string source) =>
        config.TryGetProperty(field, out var v) && v.ValueKind == JsonValueKind.String
            ? v.GetString()!
            : throw new InvalidDataException($"{source}: field '{field}' is missing or not a string.");

    private static int Int(JsonElement config, string field, string source, int fallback)
    {
        if (!config.TryGetProperty(field, out var v))
        {
            return fallback;
        }

        return v.ValueKind == JsonValueKind.Number && v.TryGetInt32(out var i) && i >= 1
            ? i
            : throw new InvalidDataException(
                $"{source}: field '{field}' = {v.GetRawText()} is not a positive integer.");
    }

    private static int[]? Ints(JsonElement config, string field, string source)
    {
        if (!config.TryGetProperty(field, out var v))
        {
            return null;
        }

        if (v.ValueKind != JsonValueKind.Array)
        {
            throw new InvalidDataException($"{source}: field '{field}' = {v.GetRawText()} is not an array of integers.");
        }

        return v.EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Number && e.TryGetInt32(out var i) && i >= 0
            ? i
            : throw new InvalidDataException(
                $"{source}: field '{field}' holds {e.GetRawText()}, not a non-negative integer.")).ToArray();
    }
}
