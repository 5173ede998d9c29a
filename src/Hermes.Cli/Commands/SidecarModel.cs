using System.Text.Json;
using System.Text.Json.Nodes;
using Hermes.Abstractions;
using Hermes.Backbones;
using Hermes.Checkpoints;
using Hermes.Data;
using Hermes.DependencyInjection;
using Hermes.Transfer;

namespace Hermes.Cli.Commands;

/// <summary>
/// Builds the untrained Hermes-R / Hermes-M a model sidecar describes: <c>architecture.name</c> is <c>hermes-r</c> or
/// <c>hermes-m</c>, <c>architecture.options</c> holds the reference config keys (<c>in_chan</c>, <c>base_chan</c>,
/// <c>tn</c>, <c>mn</c>, …, as <see cref="HermesModelFactory"/> reads them) plus optional <c>fusion_blocks</c> (Hermes-R),
/// <c>l</c> (tokens per modality) and <c>modality_head</c>. <see cref="Describe"/> writes the sidecar of a model trained
/// from a configuration, which <see cref="Build"/> rebuilds.
/// </summary>
internal static class SidecarModel
{
    /// <summary>
    /// The task and modality counts (<c>tn</c>, <c>mn</c>) to build a sidecar's model with: the sidecar's own, else the
    /// sizes of the weights' prior tables (<c>[tn + 1, dim]</c>, <c>[mn, l, dim]</c>; the names may leave the last task id and
    /// the unknown-modality slot unnamed), else the number of names.
    /// </summary>
    public static (int TaskCount, int ModalityCount) Vocabulary(ModelSidecar sidecar, IReadOnlyDictionary<string, TorchSharp.torch.Tensor> stateDict)
    {
        var o = sidecar.ArchitectureOptions;
        var (taskCount, modalityCount) = ModelVocabulary.SizesFromStateDict(stateDict);
        return (Int(o, "tn") ?? taskCount ?? sidecar.Tasks.Count, Int(o, "mn") ?? modalityCount ?? sidecar.Modalities.Count);
    }

    public static UniversalSegmenter Build(ModelSidecar sidecar, int taskCount, int modalityCount)
    {
        var options = sidecar.ArchitectureOptions.DeepClone().AsObject();
        // A reference configuration names its backbone in "arch"; otherwise the sidecar's architecture does.
        var arch = HermesModelFactory.BackboneOf(options["arch"] is JsonValue a && a.TryGetValue<string>(out var named) ? named : sidecar.Architecture)
            ?? throw new InvalidDataException(
                $"Architecture '{sidecar.Architecture}' is not one this tool can rebuild ({HermesModelFactory.HermesRName}, {HermesModelFactory.HermesMName}).");
        options["arch"] = arch;
        options["tn"] = taskCount;
        options["mn"] = modalityCount;
        using var doc = JsonDocument.Parse(options.ToJsonString());
        var tokens = Int(options, "l") ?? 10;
        var modalityHead = options["modality_head"] is not JsonValue v || !v.TryGetValue<bool>(out var b) || b;
        if (arch == "resunet")
        {
            var r = HermesModelFactory.ReadHermesR(doc.RootElement, "sidecar");
            if (options["fusion_blocks"] is JsonArray blocks)
            {
                r = r with { FusionBlocks = blocks.Select(x => x!.GetValue<int>()).ToArray() };
            }

            return HermesR.Create(r with { TokensPerModality = tokens, ModalityHead = modalityHead });
        }

        var m = HermesModelFactory.ReadHermesM(doc.RootElement, "sidecar");
        return HermesM.Create(m with { TokensPerModality = tokens, ModalityHead = modalityHead });
    }

    /// <summary>
    /// The sidecar of a model <c>hermes train</c> built from <paramref name="options"/>: its architecture (<c>hermes-r</c> for
    /// <c>resunet</c>, <c>hermes-m</c> for <c>medformer</c>) with <c>in_chan</c>, <c>base_chan</c>, <c>tn</c>, <c>mn</c>, the
    /// catalog's vocabulary, and the preprocessing it was trained with; <see langword="null"/> for an architecture
    /// <see cref="Build"/> cannot rebuild or a native-spacing run (no target spacing to record).
    /// </summary>
    public static ModelSidecar? Describe(HermesOptions options, UniversalSegmenter model, TaskVocabulary vocabulary, PreprocessingOptions preprocessing)
    {
        var architecture = HermesModelFactory.SidecarNameOf(options.Backbone);
        if (architecture is null || preprocessing.TargetSpacing is not { Count: 3 } spacing)
        {
            return null;
        }

        return new ModelSidecar
        {
            Architecture = architecture,
            ArchitectureOptions = new JsonObject
            {
                ["in_chan"] = options.InputChannels,
                ["base_chan"] = options.BaseChannels,
                ["tn"] = model.TaskCount,
                ["mn"] = model.ModalityCount,
            },
            Tasks = [.. vocabulary.Tasks],
            Modalities = [.. vocabulary.Modalities],
            Preprocessing = new SidecarPreprocessing(
                [.. spacing],
                preprocessing.NormalizationByModality(vocabulary),
                [.. options.PatchSize]),
        };
    }

    private static int? Int(JsonObject o, string key) =>
        o[key] is JsonValue v && v.TryGetValue<int>(out var i) ? i : null;
}
