using System.Text.RegularExpressions;

namespace Hermes.Cli.Tests.Docs;

/// <summary>How a C# snippet of the documentation is compiled (see docs/contributing.md, "Code snippets").</summary>
public enum DocSnippetKind
{
    /// <summary>Statements: the body of an <c>async Task</c> method whose parameters are the snippet's context.</summary>
    Statements,

    /// <summary>Members (methods, properties, fields) of a class whose static fields are the snippet's context.</summary>
    Members,

    /// <summary>A whole <c>Program.cs</c> of a console application (its own <c>using</c> directives, top-level statements).</summary>
    Program,

    /// <summary>Not compiled (pseudo-code); the marker must give a reason.</summary>
    Skip,
}

/// <summary>
/// One <c>```csharp</c> block of a Markdown document and its marker: an HTML comment on the line right above the fence,
/// <c>&lt;!-- snippet: KIND | context: PARAMETERS | usings: NAMESPACES | reason: TEXT --&gt;</c>, every part but the kind
/// optional; without a marker the block is <see cref="DocSnippetKind.Statements"/> without context.
/// </summary>
/// <param name="Document">The document's path relative to the repository root (for messages).</param>
/// <param name="Line">1-based line of the first code line in the document.</param>
/// <param name="Kind">How the block is compiled.</param>
/// <param name="Context">C# parameter list (without parentheses) of the names the fragment uses but does not declare.</param>
/// <param name="Usings">Namespaces to import besides the default ones.</param>
/// <param name="Reason">Why a skipped block is not compiled.</param>
/// <param name="Code">The code between the fences.</param>
public sealed partial record DocSnippet(
    string Document, int Line, DocSnippetKind Kind, string Context, IReadOnlyList<string> Usings, string Reason, string Code)
{
    /// <summary>Reads every C# block of a Markdown text.</summary>
    /// <param name="document">The document's name, for messages.</param>
    /// <param name="markdown">The Markdown text.</param>
    /// <exception cref="FormatException">A marker is malformed (unknown kind or key, skip without reason); the message names the line.</exception>
    public static IReadOnlyList<DocSnippet> Parse(string document, string markdown)
    {
        var lines = markdown.ReplaceLineEndings("\n").Split('\n');
        var snippets = new List<DocSnippet>();
        for (var i = 0; i < lines.Length; i++)
        {
            var fence = Fence().Match(lines[i]);
            if (!fence.Success)
            {
                continue;
            }

            var end = i + 1;
            while (end < lines.Length && !lines[end].TrimStart().StartsWith(fence.Groups["ticks"].Value, StringComparison.Ordinal))
            {
                end++;
            }

            if (fence.Groups["lang"].Value is "csharp" or "cs" or "c#")
            {
                var code = string.Join('\n', lines[(i + 1)..end]);
                var marker = i > 0 ? Marker().Match(lines[i - 1]) : Match.Empty;
                snippets.Add(marker.Success ? FromMarker(document, i + 2, marker.Groups["body"].Value, code) : new DocSnippet(document, i + 2, DocSnippetKind.Statements, "", [], "", code));
            }
            else if (i > 0 && Marker().IsMatch(lines[i - 1]))
            {
                throw new FormatException($"{document}:{i}: a snippet marker stands above a '{fence.Groups["lang"].Value}' block; markers apply to C# blocks only.");
            }

            i = end;
        }

        return snippets;
    }

    /// <summary>Where the snippet is, as <c>document:line</c>.</summary>
    public override string ToString() => $"{Document}:{Line}";

    private static DocSnippet FromMarker(string document, int line, string body, string code)
    {
        var parts = body.Split('|').Select(p => p.Trim()).ToArray();
        var kind = parts[0].ToLowerInvariant() switch
        {
            "statements" => DocSnippetKind.Statements,
            "members" => DocSnippetKind.Members,
            "program" => DocSnippetKind.Program,
            "skip" => DocSnippetKind.Skip,
            _ => throw new FormatException($"{document}:{line - 2}: unknown snippet kind '{parts[0]}'; expected statements, members, program or skip."),
        };
        string context = "", reason = "";
        var usings = new List<string>();
        foreach (var part in parts.Skip(1))
        {
            var colon = part.IndexOf(':', StringComparison.Ordinal);
            var key = colon < 0 ? part : part[..colon].Trim();
            var value = colon < 0 ? "" : part[(colon + 1)..].Trim();
            switch (key)
            {
                case "context":
                    context = value;
                    break;
                case "usings":
                    usings.AddRange(value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
                    break;
                case "reason":
                    reason = value;
                    break;
                default:
                    throw new FormatException($"{document}:{line - 2}: unknown snippet marker key '{key}'; expected context, usings or reason.");
            }
        }

        if (kind == DocSnippetKind.Skip && reason.Length == 0)
        {
            throw new FormatException($"{document}:{line - 2}: a skipped snippet needs '| reason: …'.");
        }

        if (kind == DocSnippetKind.Program && context.Length > 0)
        {
            throw new FormatException($"{document}:{line - 2}: a program snippet declares everything itself; it takes no context.");
        }

        return new DocSnippet(document, line, kind, context, usings, reason, code);
    }

    [GeneratedRegex(@"^\s*(?<ticks>```+)\s*(?<lang>[^\s`]*)\s*$")]
    private static partial Regex Fence();

    [GeneratedRegex(@"^\s*<!--\s*snippet:\s*(?<body>.*?)\s*-->\s*$")]
    private static partial Regex Marker();
}
