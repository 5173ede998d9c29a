using TorchSharp;

namespace Hermes.Checkpoints;

/// <summary>Reads a model saved by <see cref="CheckpointWriter"/>: <c>&lt;name&gt;.safetensors</c> and its <c>&lt;name&gt;.json</c> sidecar.</summary>
public static class CheckpointReader
{
    /// <summary>Reads a weights file and its sidecar.</summary>
    /// <param name="safetensorsPath">The weights file.</param>
    /// <returns>The state dict (owned by the caller) and the sidecar.</returns>
    /// <exception cref="CheckpointFormatException">Either file is invalid.</exception>
    /// <exception cref="FileNotFoundException">The sidecar is missing.</exception>
    public static (IReadOnlyDictionary<string, torch.Tensor> StateDict, ModelSidecar Sidecar) Load(string safetensorsPath)
    {
        var sidecarPath = CheckpointWriter.SidecarPath(safetensorsPath);
        if (!File.Exists(sidecarPath))
        {
            throw new FileNotFoundException($"Model sidecar '{sidecarPath}' not found beside '{safetensorsPath}'.", sidecarPath);
        }

        var sidecar = ModelSidecar.Load(sidecarPath);
        return (SafeTensors.Load(safetensorsPath), sidecar);
    }
}
