namespace Hermes.Experiments;

/// <summary>Where an experiment reads and writes.</summary>
/// <param name="Output">The output folder (model, metrics, plots, overlays, checkpoints, logs).</param>
/// <param name="DataRoot">The shared data folder holding <c>manifest.tsv</c>.</param>
/// <param name="Cache">The preprocessing cache (fingerprinted, so runs with other settings can share it); default <c>Output/cache</c>.</param>
public sealed record ExperimentPaths(string Output, string DataRoot, string? Cache = null)
{
    /// <summary>The shared manifest.</summary>
    public string Manifest => Path.Combine(DataRoot, "manifest.tsv");

    /// <summary>The preprocessing cache folder.</summary>
    public string CacheFolder => Cache ?? Path.Combine(Output, "cache");

    /// <summary>The saved model's weights for an experiment name (its sidecar is beside it).</summary>
    /// <param name="name">The experiment name.</param>
    /// <returns>The path.</returns>
    public string ModelPath(string name) => Path.Combine(Output, "model", name + ".safetensors");

    /// <summary>
    /// Finds the shared data folder: <c>HERMES_DATA</c> when set, else <c>../shared/data</c> beside the first folder above
    /// the current directory (or the program's folder) that holds <c>Hermes.Core.sln</c>.
    /// </summary>
    /// <returns>The folder, or <see langword="null"/>.</returns>
    public static string? FindDataRoot()
    {
        if (Environment.GetEnvironmentVariable("HERMES_DATA") is { Length: > 0 } env)
        {
            return File.Exists(Path.Combine(env, "manifest.tsv")) ? Path.GetFullPath(env) : null;
        }

        foreach (var start in new[] { Directory.GetCurrentDirectory(), AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "Hermes.Core.sln")))
                {
                    var data = Path.GetFullPath(Path.Combine(dir.FullName, "..", "shared", "data"));
                    if (File.Exists(Path.Combine(data, "manifest.tsv")))
                    {
                        return data;
                    }
                }
            }
        }

        return null;
    }
}
