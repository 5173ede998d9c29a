using Hermes.Runtime;
using TorchSharp;

namespace Hermes.Checkpoints;

/// <summary>
/// Saves a model as <c>&lt;name&gt;.safetensors</c> (its state dict: parameters and persistent buffers) plus the
/// <c>&lt;name&gt;.json</c> <see cref="ModelSidecar"/>, each written atomically. <see cref="CheckpointReader"/> reads them back.
/// </summary>
public static class CheckpointWriter
{
    /// <summary>The sidecar path that belongs to a weights path (same folder and name, <c>.json</c> extension).</summary>
    /// <param name="safetensorsPath">The weights file.</param>
    /// <returns>The sidecar path.</returns>
    public static string SidecarPath(string safetensorsPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(safetensorsPath);
        return Path.ChangeExtension(safetensorsPath, ".json");
    }

    /// <summary>Writes the model's weights and its sidecar. The sidecar is validated before anything is written.</summary>
    /// <param name="safetensorsPath">The weights file; must end in <c>.safetensors</c>.</param>
    /// <param name="model">The model.</param>
    /// <param name="sidecar">The sidecar.</param>
    /// <exception cref="ArgumentException">The path does not end in <c>.safetensors</c>, or the sidecar is invalid.</exception>
    public static void Save(string safetensorsPath, torch.nn.Module model, ModelSidecar sidecar)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(safetensorsPath);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(sidecar);
        if (!safetensorsPath.EndsWith(".safetensors", StringComparison.OrdinalIgnoreCase))
        {
            throw new ArgumentException($"Weights path '{safetensorsPath}' must end in .safetensors (the sidecar goes beside it as .json).", nameof(safetensorsPath));
        }

        HermesRuntime.EnsureInitialized();
        sidecar.Validate();
        var metadata = new Dictionary<string, string>
        {
            ["format"] = "pt",
            ["hermes.architecture"] = sidecar.Architecture,
            ["hermes.sidecar_format_version"] = sidecar.FormatVersion.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        SafeTensors.Save(safetensorsPath, model.state_dict(), metadata);
        sidecar.Save(SidecarPath(safetensorsPath));
    }
}
