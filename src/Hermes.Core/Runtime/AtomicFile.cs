using System.Text;

namespace Hermes.Runtime;

/// <summary>
/// The one way the library (and the <c>hermes</c> tool) writes a file that readers may open at any moment — checkpoints,
/// sidecars, volumes, caches, reports, overlays, indexes: the content goes to a temporary file in the same folder
/// (<c>.name.GUID.tmp</c>, so the final move is a rename on the same file system), which is flushed and then moved over the
/// destination. A reader sees the old file or the new one, never a half-written one, and a failure removes the temporary
/// file and leaves the destination as it was. Writers that fill several files (a detached header and its data) use
/// <see cref="TemporaryPathFor"/>, <see cref="Commit"/> and <see cref="Discard"/> directly.
/// </summary>
public static class AtomicFile
{
    private const int BufferSize = 1 << 20;

    /// <summary>Writes <paramref name="path"/> through <paramref name="write"/>, atomically.</summary>
    /// <param name="path">The destination (its folder is created).</param>
    /// <param name="write">Writes the whole content to the stream it is given.</param>
    public static void Write(string path, Action<Stream> write)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        ArgumentNullException.ThrowIfNull(write);
        var temporary = TemporaryPathFor(path);
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize))
            {
                write(stream);
                stream.Flush(flushToDisk: true);
            }

            Commit(temporary, path);
        }
        catch
        {
            Discard(temporary);
            throw;
        }
    }

    /// <summary>Writes bytes to <paramref name="path"/>, atomically.</summary>
    /// <param name="path">The destination.</param>
    /// <param name="content">The bytes.</param>
    public static void WriteAllBytes(string path, byte[] content)
    {
        ArgumentNullException.ThrowIfNull(content);
        Write(path, s => s.Write(content));
    }

    /// <summary>Writes UTF-8 text (no byte-order mark) to <paramref name="path"/>, atomically.</summary>
    /// <param name="path">The destination.</param>
    /// <param name="text">The text.</param>
    public static void WriteAllText(string path, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        Write(path, s => s.Write(Encoding.UTF8.GetBytes(text)));
    }

    /// <summary>A new temporary file name beside <paramref name="path"/> (its folder is created); write it fully, then <see cref="Commit"/>.</summary>
    /// <param name="path">The destination.</param>
    /// <returns>The temporary path.</returns>
    public static string TemporaryPathFor(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path);
        var folder = Path.GetDirectoryName(full) ?? ".";
        Directory.CreateDirectory(folder);
        return Path.Combine(folder, $".{Path.GetFileName(full)}.{Guid.NewGuid():N}.tmp");
    }

    /// <summary>Moves a finished temporary file over its destination.</summary>
    /// <param name="temporary">The temporary file.</param>
    /// <param name="path">The destination.</param>
    public static void Commit(string temporary, string path) => File.Move(temporary, Path.GetFullPath(path), overwrite: true);

    /// <summary>Deletes a temporary file after a failure, ignoring errors (the failure being reported matters more).</summary>
    /// <param name="temporary">The temporary file.</param>
    public static void Discard(string temporary)
    {
        try
        {
            File.Delete(temporary);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
