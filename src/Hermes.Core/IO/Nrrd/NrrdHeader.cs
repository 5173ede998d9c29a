using System.Globalization;
using System.Text;
using Hermes.Volumes;

namespace Hermes.IO.Nrrd;

/// <summary>
/// A parsed NRRD header (<c>NRRD0001</c>–<c>NRRD0005</c>): the fields as written, plus the byte offset where attached
/// data starts. Field names are matched case-insensitively; comments (<c>#</c>) and key/value pairs (<c>:=</c>) are kept apart.
/// </summary>
public sealed class NrrdHeader
{
    private const int MaxHeaderBytes = 1 << 22;

    /// <summary>The magic line, e.g. <c>NRRD0004</c>.</summary>
    public string Magic { get; init; } = "";

    /// <summary>Fields by lower-case name (<c>type</c>, <c>sizes</c>, <c>space directions</c>, …).</summary>
    public IReadOnlyDictionary<string, string> Fields { get; init; } = new Dictionary<string, string>();

    /// <summary>Key/value pairs (<c>key:=value</c>).</summary>
    public IReadOnlyDictionary<string, string> KeyValues { get; init; } = new Dictionary<string, string>();

    /// <summary>Byte offset just after the blank line ending the header (start of attached data).</summary>
    public long DataOffset { get; init; }

    /// <summary>A field, or <see langword="null"/>.</summary>
    /// <param name="name">Lower-case field name.</param>
    /// <returns>The value or <see langword="null"/>.</returns>
    public string? Get(string name) => Fields.TryGetValue(name, out var v) ? v : null;

    /// <summary>Reads the header of a <c>.nrrd</c> or <c>.nhdr</c> file.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The header.</returns>
    /// <exception cref="VolumeFormatException">No NRRD magic, a header over 4 MiB, or a malformed line.</exception>
    public static NrrdHeader Read(string path)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
        var lines = new List<string>();
        var line = new List<byte>(256);
        long offset = 0;
        int b;
        while ((b = stream.ReadByte()) >= 0)
        {
            offset++;
            if (offset > MaxHeaderBytes)
            {
                throw NrrdThrowHelper.Invalid(path, "header", $"more than {MaxHeaderBytes} bytes without a blank line", "a header that ends with an empty line");
            }

            if (b == '\n')
            {
                var text = Encoding.Latin1.GetString(line.ToArray()).TrimEnd('\r');
                line.Clear();
                if (text.Length == 0 && lines.Count > 0)
                {
                    break;
                }

                lines.Add(text);
                if (lines.Count == 1 && !text.StartsWith("NRRD", StringComparison.Ordinal))
                {
                    throw NrrdThrowHelper.Invalid(path, "magic", Shorten(text), "\"NRRD000n\"");
                }

                continue;
            }

            line.Add((byte)b);
        }

        if (line.Count > 0)
        {
            lines.Add(Encoding.Latin1.GetString(line.ToArray()).TrimEnd('\r'));
        }

        if (lines.Count == 0 || !lines[0].StartsWith("NRRD000", StringComparison.Ordinal))
        {
            throw NrrdThrowHelper.Invalid(path, "magic", lines.Count == 0 ? "empty file" : Shorten(lines[0]), "\"NRRD000n\"");
        }

        var fields = new Dictionary<string, string>(StringComparer.Ordinal);
        var keyValues = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var l in lines.Skip(1))
        {
            if (l.StartsWith('#') || l.Trim().Length == 0)
            {
                continue;
            }

            var kv = l.IndexOf(":=", StringComparison.Ordinal);
            var colon = l.IndexOf(": ", StringComparison.Ordinal);
            if (kv >= 0 && (colon < 0 || kv < colon))
            {
                keyValues[l[..kv]] = l[(kv + 2)..];
                continue;
            }

            if (colon < 0)
            {
                if (l.EndsWith(':'))
                {
                    fields[l[..^1].Trim().ToLowerInvariant()] = "";
                    continue;
                }

                throw NrrdThrowHelper.Invalid(path, "header line", Shorten(l), "\"<field>: <value>\"");
            }

            fields[l[..colon].Trim().ToLowerInvariant()] = l[(colon + 2)..].Trim();
        }

        return new NrrdHeader { Magic = lines[0].Trim(), Fields = fields, KeyValues = keyValues, DataOffset = offset };
    }

    /// <summary>Parses a list of numbers separated by spaces.</summary>
    internal static double[] Numbers(string text, string file, string field) => text
        .Split([' ', '\t'], StringSplitOptions.RemoveEmptyEntries)
        .Select(t => double.TryParse(t, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : throw NrrdThrowHelper.Invalid(file, field, Shorten(text), "numbers"))
        .ToArray();

    /// <summary>Parses a vector <c>(x,y,z)</c>, or <see langword="null"/> for <c>none</c>.</summary>
    internal static double[]? Vector(string text, string file, string field)
    {
        var t = text.Trim();
        if (t.Equals("none", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        if (!t.StartsWith('(') || !t.EndsWith(')'))
        {
            throw NrrdThrowHelper.Invalid(file, field, Shorten(text), "a vector \"(x,y,z)\" or none");
        }

        return t[1..^1].Split(',').Select(p => double.TryParse(p.Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) && double.IsFinite(v) ? v : throw NrrdThrowHelper.Invalid(file, field, Shorten(text), "finite numbers")).ToArray();
    }

    /// <summary>Splits a list of vectors <c>(a,b,c) none (d,e,f)</c>.</summary>
    internal static List<string> VectorTokens(string text)
    {
        var tokens = new List<string>();
        var i = 0;
        while (i < text.Length)
        {
            if (char.IsWhiteSpace(text[i]))
            {
                i++;
                continue;
            }

            if (text[i] == '(')
            {
                var end = text.IndexOf(')', i);
                end = end < 0 ? text.Length - 1 : end;
                tokens.Add(text[i..(end + 1)]);
                i = end + 1;
                continue;
            }

            var next = i;
            while (next < text.Length && !char.IsWhiteSpace(text[next]))
            {
                next++;
            }

            tokens.Add(text[i..next]);
            i = next;
        }

        return tokens;
    }

    internal static string Shorten(string s) => s.Length > 60 ? s[..60] + "…" : s;
}
