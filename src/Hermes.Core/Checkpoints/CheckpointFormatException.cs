namespace Hermes.Checkpoints;

/// <summary>
/// A checkpoint or weight file is malformed, truncated, inconsistent or uses a construct this reader does not accept
/// (for example a pickle global outside the whitelist). The message names the file, the tensor key or record, the
/// field, the value found and what was expected.
/// </summary>
public sealed class CheckpointFormatException : Exception
{
    /// <summary>Creates the exception with a complete message.</summary>
    /// <param name="message">The message.</param>
    public CheckpointFormatException(string message)
        : base(message)
    {
    }

    /// <summary>Creates the exception with a complete message and the underlying cause.</summary>
    /// <param name="message">The message.</param>
    /// <param name="innerException">The underlying cause.</param>
    public CheckpointFormatException(string message, Exception? innerException)
        : base(message, innerException)
    {
    }

    /// <summary>Creates the exception, composing the message from its parts.</summary>
    /// <param name="filePath">The file being read (or <see langword="null"/> when reading a stream).</param>
    /// <param name="key">The tensor key or record concerned, if any.</param>
    /// <param name="field">The field concerned (for example <c>data_offsets</c>), if any.</param>
    /// <param name="value">The value found, if any.</param>
    /// <param name="expected">What was expected.</param>
    /// <param name="innerException">The underlying cause, if any.</param>
    public CheckpointFormatException(string? filePath, string? key, string? field, string? value, string expected, Exception? innerException = null)
        : base(Compose(filePath, key, field, value, expected), innerException)
    {
        FilePath = filePath;
        Key = key;
        Field = field;
        Value = value;
        Expected = expected;
    }

    /// <summary>The file being read, when known.</summary>
    public string? FilePath { get; }

    /// <summary>The tensor key or record concerned, when known.</summary>
    public string? Key { get; }

    /// <summary>The field concerned, when known.</summary>
    public string? Field { get; }

    /// <summary>The offending value, when known.</summary>
    public string? Value { get; }

    /// <summary>What was expected, when known.</summary>
    public string? Expected { get; }

    private static string Compose(string? filePath, string? key, string? field, string? value, string expected)
    {
        var parts = new List<string>(4);
        parts.Add(filePath is null ? "Invalid checkpoint" : $"Invalid checkpoint '{filePath}'");
        if (key is not null)
        {
            parts.Add($"key '{key}'");
        }

        if (field is not null)
        {
            parts.Add($"field '{field}'");
        }

        var head = string.Join(", ", parts);
        var found = value is null ? string.Empty : $" found {Truncate(value)};";
        return $"{head}:{found} expected {expected}.";
    }

    private static string Truncate(string value) => value.Length <= 200 ? value : string.Concat(value.AsSpan(0, 200), "…");
}
