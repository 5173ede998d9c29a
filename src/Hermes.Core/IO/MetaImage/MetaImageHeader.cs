using System.Globalization;
using System.Text;

namespace Hermes.IO.MetaImage;

/// <summary>A parsed MetaImage (<c>.mha</c>/<c>.mhd</c>) header: <c>Tag = value</c> lines up to and including <c>ElementDataFile</c>.</summary>
public sealed class MetaImageHeader
{
    private const int MaxHeaderBytes = 1 << 20;

    /// <summary>Tags by name (case-insensitive).</summary>
    public IReadOnlyDictionary<string, string> Tags { get; init; } = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);

    /// <summary>Byte offset just after the <c>ElementDataFile</c> line (start of <c>LOCAL</c> data).</summary>
    public long DataOffset { get; init; }

    /// <summary>A tag value, or <see langword="null"/>.</summary>
    /// <param name="tag">The tag.</param>
    /// <returns>The value.</returns>
    public string? Get(string tag) => Tags.TryGetValue(tag, out var v) ? v : null;

    /// <summary>Reads the header.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The header.</returns>
    /// <exception cref="Hermes.Volumes.VolumeFormatException">A malformed line or no <c>ElementDataFile</c>.</exception>
    public static MetaImageHeader Read(string path)
    {
        using var s = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var tags = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var line = new List<byte>(128);
        long offset = 0;
        int b;
        while (true)
        {
            b = s.ReadByte();
            if (b >= 0)
            {
                offset++;
            }

            if (offset > MaxHeaderBytes)
            {
                throw MetaImageThrowHelper.Invalid(path, "header", $"more than {MaxHeaderBytes} bytes", "a header ending with ElementDataFile");
            }

            if (b is '\n' or < 0)
            {
                var text = Encoding.Latin1.GetString(line.ToArray()).Trim();
                line.Clear();
                if (text.Length > 0)
                {
                    var eq = text.IndexOf('=', StringComparison.Ordinal);
                    if (eq <= 0)
                    {
                        throw MetaImageThrowHelper.Invalid(path, "header line", text.Length > 60 ? text[..60] : text, "\"Tag = value\"");
                    }

                    var tag = text[..eq].Trim();
                    tags[tag] = text[(eq + 1)..].Trim();
                    if (tag.Equals("ElementDataFile", StringComparison.OrdinalIgnoreCase))
                    {
                        return new MetaImageHeader { Tags = tags, DataOffset = offset };
                    }
                }

                if (b < 0)
                {
                    throw MetaImageThrowHelper.Missing(path, "ElementDataFile");
                }

                continue;
            }

            line.Add((byte)b);
        }
    }

    internal static double[] Numbers(string? text, string file, string tag, int count)
    {
        if (text is null)
        {
            return [];
        }

        var parts = text.Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
        if (parts.Length < count)
        {
            throw MetaImageThrowHelper.Invalid(file, tag, text, $"{count} numbers");
        }

        return parts.Take(count).Select(p => double.TryParse(p, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? v : throw MetaImageThrowHelper.Invalid(file, tag, text, "finite numbers")).ToArray();
    }
}
