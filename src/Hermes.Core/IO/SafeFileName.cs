using System.Text;

namespace Hermes.IO;

/// <summary>
/// File names made from data (task names, case ids, sidecar fields): a name from a model's sidecar or a manifest must never
/// become a path that leaves its output folder (<c>../../x</c>, <c>/etc/x</c>) or one the file system refuses. Letters,
/// digits, <c>-</c>, <c>_</c>, <c>.</c> and <c>+</c> are kept; every other character (path separators, <c>:</c>, spaces,
/// control characters) becomes <c>_</c>; a name of dots only, an empty name and a leading dot are made visible with a
/// leading <c>_</c>; names are capped at 120 characters. <see cref="Map"/> also makes the names of one folder unique
/// (case-insensitively, for case-insensitive file systems), so the caller can record the mapping.
/// </summary>
public static class SafeFileName
{
    /// <summary>The longest stem returned (room for a suffix and an extension under the usual 255-byte limit).</summary>
    public const int MaxLength = 120;

    /// <summary>Whether <paramref name="name"/> is already a safe file name (<see cref="Create"/> returns it unchanged).</summary>
    /// <param name="name">The name.</param>
    public static bool IsSafe(string name) => name.Length > 0 && Create(name) == name;

    /// <summary>The safe file stem for <paramref name="name"/> (see the type's remarks).</summary>
    /// <param name="name">A name from data.</param>
    /// <returns>A stem with no path separator that stays in its folder.</returns>
    public static string Create(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        var sb = new StringBuilder(Math.Min(name.Length, MaxLength) + 1);
        foreach (var c in name)
        {
            sb.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or '+' ? c : '_');
            if (sb.Length == MaxLength)
            {
                break;
            }
        }

        if (sb.Length == 0 || sb[0] == '.')
        {
            sb.Insert(0, '_');
        }

        return sb.ToString();
    }

    /// <summary>
    /// Safe, distinct stems for the names of one folder, in order: <see cref="Create"/> of each, with <c>-2</c>, <c>-3</c>, …
    /// appended where two names would otherwise share a file (compared case-insensitively).
    /// </summary>
    /// <param name="names">The names (distinct).</param>
    /// <returns>One stem per name, in the same order.</returns>
    public static IReadOnlyList<string> Map(IReadOnlyList<string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var taken = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var stems = new string[names.Count];
        for (var i = 0; i < names.Count; i++)
        {
            var stem = Create(names[i]);
            var candidate = stem;
            for (var n = 2; !taken.Add(candidate); n++)
            {
                candidate = $"{stem}-{n}";
            }

            stems[i] = candidate;
        }

        return stems;
    }
}
