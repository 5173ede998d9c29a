namespace Hermes.Data;

/// <summary>
/// The rule for a task or modality name that the library creates (a new task added to a model, a dataset's own task):
/// names become sidecar entries, command-line arguments (<c>--tasks a,b</c>, <c>--add-task NAME=FROM</c>) and, mapped by
/// <see cref="IO.SafeFileName"/>, output file names. Allowed: 1–120 characters, no control characters, no leading or
/// trailing space, no <c>,</c> or <c>=</c> (the command line's separators), no <c>\</c>; <c>/</c> separates a dataset from
/// its label (<c>amos/liver</c>), so the parts between slashes must be non-empty and neither <c>.</c> nor <c>..</c>.
/// Names read from an existing sidecar are not re-checked (they are data; their file names are mapped instead).
/// </summary>
public static class VocabularyName
{
    /// <summary>The longest name accepted.</summary>
    public const int MaxLength = 120;

    /// <summary>Why <paramref name="name"/> breaks the rule, or <see langword="null"/> when it is a valid name.</summary>
    /// <param name="name">The name.</param>
    public static string? Problem(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "it is empty";
        }

        if (name.Length > MaxLength)
        {
            return $"it has {name.Length} characters (at most {MaxLength})";
        }

        if (name.Trim().Length != name.Length)
        {
            return "it starts or ends with white space";
        }

        foreach (var c in name)
        {
            if (char.IsControl(c))
            {
                return $"it contains the control character U+{(int)c:X4}";
            }

            if (c is ',' or '=' or '\\')
            {
                return $"it contains '{c}'";
            }
        }

        foreach (var part in name.Split('/'))
        {
            if (part.Length == 0 || part is "." or "..")
            {
                return $"the part '{part}' between slashes is empty, '.' or '..' (a '/' separates a dataset from its label, as in amos/liver)";
            }
        }

        return null;
    }

    /// <summary>Throws when <paramref name="name"/> breaks the rule.</summary>
    /// <param name="name">The name.</param>
    /// <param name="what">What the name is, for the message (e.g. "task", "modality").</param>
    /// <exception cref="ArgumentException">The name breaks the rule; the message says how.</exception>
    public static void Validate(string? name, string what)
    {
        if (Problem(name) is { } problem)
        {
            throw new ArgumentException($"'{name}' is not a valid {what} name: {problem}.");
        }
    }
}
