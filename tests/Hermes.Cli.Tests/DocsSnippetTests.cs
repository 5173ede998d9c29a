using System.Text.RegularExpressions;
using Hermes.Testing;

namespace Hermes.Cli.Tests;

/// <summary>
/// Every C# snippet of the user guides (getting-started, concepts, extending) is an excerpt of code that compiles: its
/// lines appear, in order and contiguously (whitespace-trimmed), in a source file of samples/ or src/, which the
/// solution build compiles.
/// </summary>
public sealed partial class DocsSnippetTests
{
    public static TheoryData<string> Guides => new() { "getting-started.md", "concepts.md", "extending.md" };

    [Theory]
    [MemberData(nameof(Guides))]
    public void EverySnippetIsAnExcerptOfCompiledCode(string guide)
    {
        var root = SharedAssets.RepositoryRoot;
        var text = File.ReadAllText(Path.Combine(root, "docs", guide));
        var sources = new[] { "samples", "src" }
            .SelectMany(d => Directory.EnumerateFiles(Path.Combine(root, d), "*.cs", SearchOption.AllDirectories))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Select(f => (Path: f, Lines: Normalise(File.ReadAllText(f))))
            .ToList();
        var snippets = Snippet().Matches(text).Select(m => Normalise(m.Groups[1].Value)).ToList();
        foreach (var snippet in snippets)
        {
            Assert.True(sources.Any(s => Contains(s.Lines, snippet)),
                $"{guide}: this snippet is not an excerpt of any compiled source:\n{string.Join('\n', snippet)}");
        }

        if (guide != "concepts.md")
        {
            Assert.NotEmpty(snippets);
        }
    }

    private static string[] Normalise(string code) =>
        [.. code.Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0)];

    private static bool Contains(string[] lines, string[] snippet)
    {
        for (var i = 0; i + snippet.Length <= lines.Length; i++)
        {
            if (lines.AsSpan(i, snippet.Length).SequenceEqual(snippet))
            {
                return true;
            }
        }

        return false;
    }

    [GeneratedRegex("```csharp\\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex Snippet();
}
