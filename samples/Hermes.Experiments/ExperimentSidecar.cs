using System.Text.Json.Nodes;
using Hermes.Checkpoints;
using Hermes.Data;

namespace Hermes.Experiments;

/// <summary>Builds the model sidecar of an experiment: vocabularies, the preprocessing the cases went through, the patch size.</summary>
public static class ExperimentSidecar
{
    /// <summary>The sidecar <c>hermes predict</c> reads beside the weights.</summary>
    /// <param name="settings">The experiment.</param>
    /// <param name="catalog">Its task catalog.</param>
    /// <param name="preprocessing">The training preprocessing (spacing, normalisation per modality).</param>
    /// <param name="taskCount">The model's task table size (vocabulary + the loss's padding row).</param>
    /// <returns>The sidecar.</returns>
    public static ModelSidecar Create(ExperimentSettings settings, TaskCatalog catalog, PreprocessingOptions preprocessing, int taskCount)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(preprocessing);
        var modalities = catalog.Vocabulary.Modalities;
        var hermesR = settings.Model.Kind == ModelSettings.HermesR;
        return new ModelSidecar
        {
            Architecture = hermesR ? "hermes-r" : ModelSettings.TaskSpecificResUNet,
            ArchitectureOptions = new JsonObject
            {
                ["in_chan"] = 1,
                ["base_chan"] = settings.Model.BaseChannels,
                ["tn"] = hermesR ? taskCount : catalog.Vocabulary.Tasks.Count,
                ["mn"] = hermesR ? catalog.Vocabulary.ModelModalityCount : Math.Max(1, modalities.Count),
            },
            Tasks = catalog.Vocabulary.Tasks,
            Modalities = modalities,
            Preprocessing = new SidecarPreprocessing(
                preprocessing.TargetSpacing ?? throw new InvalidOperationException("Experiments resample to a target spacing."),
                preprocessing.NormalizationByModality(catalog.Vocabulary),
                settings.Model.PatchSize),
        };
    }
}
