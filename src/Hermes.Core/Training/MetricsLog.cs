using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Hermes.Training;

/// <summary>
/// A JSON-lines metrics log: each record is one JSON object on its own line, appended with a single write and flushed,
/// so a crash leaves at most a missing last line, never a torn one in the middle.
/// </summary>
public sealed class MetricsLog : IDisposable
{
    private readonly FileStream stream;

    /// <summary>Opens (or creates) the log for appending.</summary>
    /// <param name="path">The file path; its folder is created when missing.</param>
    public MetricsLog(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        Path = System.IO.Path.GetFullPath(path);
        Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
        stream = new FileStream(Path, FileMode.Append, FileAccess.Write, FileShare.Read);
    }

    /// <summary>The full path of the log.</summary>
    public string Path { get; }

    /// <summary>Appends one record and flushes it to the operating system.</summary>
    /// <param name="record">The JSON object.</param>
    public void Append(JsonObject record)
    {
        ArgumentNullException.ThrowIfNull(record);
        var line = Encoding.UTF8.GetBytes(record.ToJsonString(new JsonSerializerOptions { WriteIndented = false }) + "\n");
        stream.Write(line);
        stream.Flush();
    }

    /// <summary>Flushes to disk and closes the file.</summary>
    public void Dispose()
    {
        stream.Flush(flushToDisk: true);
        stream.Dispose();
    }
}
