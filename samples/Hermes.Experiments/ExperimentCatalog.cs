using System.Text.Json.Nodes;

namespace Hermes.Experiments;

/// <summary>
/// Finds experiment definitions by name (<c>experiments/NAME.json</c> beside the program, or in the source folder) and
/// tells a single experiment from a suite (a file with <c>Runs</c>: names of experiments run one after the other and compared).
/// </summary>
public static class ExperimentCatalog
{
    /// <summary>The experiment files shipped with the runner.</summary>
    /// <returns>Name → path.</returns>
    public static IReadOnlyDictionary<string, string> Known()
    {
        var folder = Folder();
        return folder is null
            ? new Dictionary<string, string>()
            : Directory.GetFiles(folder, "*.json").ToDictionary(f => Path.GetFileNameWithoutExtension(f), f => f, StringComparer.Ordinal);
    }

    /// <summary>Resolves a name or a path to an experiment file.</summary>
    /// <param name="nameOrPath">A known name (e.g. <c>hippocampus</c>) or a JSON file.</param>
    /// <returns>The file.</returns>
    /// <exception cref="FileNotFoundException">Neither a file nor a known name.</exception>
    public static string Resolve(string nameOrPath)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(nameOrPath);
        if (File.Exists(nameOrPath))
        {
            return Path.GetFullPath(nameOrPath);
        }

        return Known().TryGetValue(nameOrPath, out var path)
            ? path
            : throw new FileNotFoundException($"No experiment '{nameOrPath}': not a file, and not one of {string.Join(", ", Known().Keys.Order(StringComparer.Ordinal))}.");
    }

    /// <summary>The run names of a suite file, or <see langword="null"/> for a single experiment.</summary>
    /// <param name="path">The experiment file.</param>
    /// <returns>The runs.</returns>
    public static IReadOnlyList<string>? SuiteRuns(string path)
    {
        var root = JsonNode.Parse(File.ReadAllText(path), documentOptions: new System.Text.Json.JsonDocumentOptions { CommentHandling = System.Text.Json.JsonCommentHandling.Skip }) as JsonObject;
        return root?["Runs"] is JsonArray runs ? [.. runs.Select(r => r!.GetValue<string>())] : null;
    }

    /// <summary>
    /// Whether a suite file asks for its runs to train at the same time, each in its own process (<c>"Parallel": true</c>):
    /// each run trains on its share of the cores (one LibTorch thread each for two runs on a 2-core machine).
    /// </summary>
    /// <param name="path">The suite file.</param>
    /// <returns>True when the file sets <c>Parallel</c> to true.</returns>
    public static bool SuiteRunsInParallel(string path)
    {
        var root = JsonNode.Parse(File.ReadAllText(path), documentOptions: new System.Text.Json.JsonDocumentOptions { CommentHandling = System.Text.Json.JsonCommentHandling.Skip }) as JsonObject;
        return root?["Parallel"] is JsonValue v && v.GetValue<bool>();
    }

    private static string? Folder()
    {
        var beside = Path.Combine(AppContext.BaseDirectory, "experiments");
        if (Directory.Exists(beside))
        {
            return beside;
        }

        var source = Path.Combine(Directory.GetCurrentDirectory(), "samples", "Hermes.Experiments", "experiments");
        return Directory.Exists(source) ? source : null;
    }
}
