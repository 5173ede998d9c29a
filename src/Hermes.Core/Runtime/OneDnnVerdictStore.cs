using System.Text;

namespace Hermes.Runtime;

/// <summary>
/// Where the machine's <see cref="OneDnnVerdict"/> lives: <c>HERMES_ONEDNN_VERDICT</c> when set (a file path; <c>none</c>
/// disables verdicts), else <c>$XDG_CACHE_HOME/hermes/onednn-conv3d-verdict.json</c>, else
/// <c>~/.cache/hermes/onednn-conv3d-verdict.json</c> (the local application-data folder on Windows).
/// </summary>
public static class OneDnnVerdictStore
{
    /// <summary>The environment variable that names the verdict file (or <c>none</c>).</summary>
    public const string PathVariable = "HERMES_ONEDNN_VERDICT";

    private const string FileName = "onednn-conv3d-verdict.json";

    /// <summary>The verdict file of this process, or <see langword="null"/> when verdicts are disabled or no home is known.</summary>
    public static string? DefaultPath
    {
        get
        {
            var explicitPath = Environment.GetEnvironmentVariable(PathVariable);
            if (!string.IsNullOrWhiteSpace(explicitPath))
            {
                return explicitPath.Trim().Equals("none", StringComparison.OrdinalIgnoreCase) ? null : Path.GetFullPath(explicitPath.Trim());
            }

            if (OperatingSystem.IsWindows())
            {
                var local = Environment.GetFolderPath(Environment.SpecialFolder.LocalApplicationData);
                return local.Length == 0 ? null : Path.Combine(local, "hermes", FileName);
            }

            var cache = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            if (string.IsNullOrWhiteSpace(cache))
            {
                var home = Environment.GetEnvironmentVariable("HOME");
                if (string.IsNullOrWhiteSpace(home))
                {
                    return null;
                }

                cache = Path.Combine(home, ".cache");
            }

            return Path.Combine(cache, "hermes", FileName);
        }
    }

    /// <summary>Reads the verdict at <paramref name="path"/>; never throws.</summary>
    /// <param name="path">The file; <see langword="null"/> for <see cref="DefaultPath"/>.</param>
    /// <param name="problem">Why no verdict came back (no file, unreadable, malformed), or <see langword="null"/>.</param>
    /// <returns>The verdict, or <see langword="null"/>.</returns>
    public static OneDnnVerdict? TryRead(string? path, out string? problem)
    {
        path ??= DefaultPath;
        if (path is null)
        {
            problem = $"verdicts disabled ({PathVariable}=none or no home folder)";
            return null;
        }

        try
        {
            if (!File.Exists(path))
            {
                problem = $"no verdict at {path}";
                return null;
            }

            var info = new FileInfo(path);
            if (info.Length > 1 << 20)
            {
                problem = $"{path}: {info.Length} bytes is too large for a verdict";
                return null;
            }

            problem = null;
            return OneDnnVerdict.FromJson(File.ReadAllText(path, Encoding.UTF8), path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
            problem = e.Message;
            return null;
        }
    }

    /// <summary>Writes <paramref name="verdict"/> to <paramref name="path"/> atomically (temp file, then move).</summary>
    /// <param name="verdict">The verdict.</param>
    /// <param name="path">The file; <see langword="null"/> for <see cref="DefaultPath"/>.</param>
    /// <returns>The path written.</returns>
    /// <exception cref="InvalidOperationException">Verdicts are disabled and no path was given.</exception>
    public static string Write(OneDnnVerdict verdict, string? path = null)
    {
        ArgumentNullException.ThrowIfNull(verdict);
        path ??= DefaultPath ?? throw new InvalidOperationException(
            $"No verdict file: {PathVariable} is 'none' or no home folder is known; set {PathVariable} to a file path.");
        var bytes = Encoding.UTF8.GetBytes(verdict.ToJson());
        AtomicFile.Write(path, stream => stream.Write(bytes));
        return path;
    }
}
