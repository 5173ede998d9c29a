using System.Text.Json;
using System.Text.Json.Nodes;
using Hermes.Abstractions;
using Hermes.Backbones;
using Hermes.Checkpoints;
using TorchSharp;

namespace Hermes.Experiments;

/// <summary>
/// Loads a saved Hermes-R the way <c>hermes predict</c> does (weights and sidecar through <see cref="CheckpointReader"/>,
/// the network from the sidecar's reference options through <see cref="HermesModelFactory"/>, strict state-dict load,
/// evaluation mode), so that the experiment's numbers are the command line's numbers.
/// </summary>
public static class SavedModel
{
    /// <summary>Loads the model and its sidecar.</summary>
    /// <param name="safetensorsPath">The weights file; its sidecar is beside it.</param>
    /// <returns>The model (CPU, evaluation mode) and the sidecar.</returns>
    public static (UniversalSegmenter Model, ModelSidecar Sidecar) Load(string safetensorsPath)
    {
        var (state, sidecar) = CheckpointReader.Load(safetensorsPath);
        try
        {
            var config = (JsonObject)sidecar.ArchitectureOptions.DeepClone();
            config["arch"] ??= "resunet";
            using var doc = JsonDocument.Parse(config.ToJsonString());
            var model = HermesModelFactory.FromConfig(doc.RootElement, CheckpointWriter.SidecarPath(safetensorsPath));
            StateDictLoader.Load(model, state);
            model.to(torch.CPU);
            model.eval();
            return (model, sidecar);
        }
        finally
        {
            foreach (var t in state.Values)
            {
                t.Dispose();
            }
        }
    }
}
