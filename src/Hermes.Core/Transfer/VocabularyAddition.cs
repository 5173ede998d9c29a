using Hermes.Data;

namespace Hermes.Transfer;

/// <summary>A task or modality to add to a trained model, optionally initialised from an existing one.</summary>
/// <param name="Name">The new name.</param>
/// <param name="InitFrom">
/// An existing name whose prior rows (and, for a modality, modality-head output) the new entry starts from;
/// <see langword="null"/> for a random initialisation (as the model builder initialises new tables).
/// </param>
public sealed record VocabularyAddition(string Name, string? InitFrom = null)
{
    /// <summary>Parses <c>NAME</c> or <c>NAME=INIT_FROM</c> (the CLI's <c>--add-task</c> / <c>--add-modality</c> syntax).</summary>
    /// <param name="text">The text.</param>
    /// <returns>The addition.</returns>
    /// <exception cref="FormatException">A part is empty, or the name breaks <see cref="VocabularyName"/>'s rule.</exception>
    public static VocabularyAddition Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var at = text.IndexOf('=', StringComparison.Ordinal);
        var name = (at < 0 ? text : text[..at]).Trim();
        var from = at < 0 ? null : text[(at + 1)..].Trim();
        if (name.Length == 0 || from is { Length: 0 })
        {
            throw new FormatException($"'{text}' is not NAME or NAME=EXISTING_NAME.");
        }

        if (VocabularyName.Problem(name) is { } problem)
        {
            throw new FormatException($"'{text}': '{name}' is not a valid name: {problem}.");
        }

        return new VocabularyAddition(name, from);
    }
}
