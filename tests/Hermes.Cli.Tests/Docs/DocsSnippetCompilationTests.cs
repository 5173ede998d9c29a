using Hermes.Testing;

namespace Hermes.Cli.Tests.Docs;

/// <summary>
/// Every <c>```csharp</c> block of README.md and docs/*.md compiles against the real Hermes assemblies (Roslyn, in
/// process), wrapped as its marker says (docs/contributing.md, "Code snippets"); a broken snippet fails with the
/// Markdown file and line of the error.
/// </summary>
public sealed class DocsSnippetCompilationTests
{
    public static TheoryData<string> Documents => new(DocumentPaths());

    [Theory]
    [MemberData(nameof(Documents))]
    public void EveryCSharpSnippetCompiles(string document)
    {
        var snippets = DocSnippet.Parse(document, File.ReadAllText(Path.Combine(SharedAssets.RepositoryRoot, document)));
        var errors = snippets.Where(s => s.Kind != DocSnippetKind.Skip).SelectMany(DocSnippetCompiler.Compile).ToList();
        Assert.True(errors.Count == 0, $"{errors.Count} compile error(s) in {document}'s snippets:\n{string.Join('\n', errors)}");
    }

    [Fact]
    public void TheDocumentsHaveCompiledSnippets()
    {
        var root = SharedAssets.RepositoryRoot;
        var compiled = DocumentPaths()
            .SelectMany(d => DocSnippet.Parse(d, File.ReadAllText(Path.Combine(root, d))))
            .Where(s => s.Kind != DocSnippetKind.Skip)
            .ToList();
        Assert.True(compiled.Count >= 10, $"only {compiled.Count} compiled snippets found");
        Assert.Contains(compiled, s => s.Document == "README.md" && s.Kind == DocSnippetKind.Program);
        Assert.Contains(compiled, s => s.Kind == DocSnippetKind.Members);
    }

    /// <summary>README.md and every docs/*.md, relative to the repository root.</summary>
    private static IEnumerable<string> DocumentPaths()
    {
        var root = SharedAssets.RepositoryRoot;
        return Directory.EnumerateFiles(Path.Combine(root, "docs"), "*.md")
            .Select(path => Path.GetRelativePath(root, path).Replace('\\', '/'))
            .Order(StringComparer.Ordinal)
            .Prepend("README.md");
    }

    [Fact]
    public void AnErrorIsReportedAtItsMarkdownLine()
    {
        const string markdown = "# Doc\n\n<!-- snippet: statements | context: UniversalSegmenter model -->\n```csharp\nvar n = model.parameters().Count();\nvar v = VolumeIO.Read(42);\n```\n";
        var snippet = Assert.Single(DocSnippet.Parse("docs/example.md", markdown));
        Assert.Equal(5, snippet.Line);
        var error = Assert.Single(DocSnippetCompiler.Compile(snippet));
        Assert.StartsWith("docs/example.md:6: CS1503", error, StringComparison.Ordinal); // int is not a string path

        var fixedSnippet = snippet with { Code = "var n = model.parameters().Count();\nusing var v = VolumeIO.Read(\"x.nii.gz\");" };
        Assert.Empty(DocSnippetCompiler.Compile(fixedSnippet));
    }

    [Fact]
    public void MarkersSetKindContextUsingsAndReason()
    {
        const string markdown = """
            <!-- snippet: members | context: Dictionary<string, int> counts, int n | usings: System.Text -->
            ```csharp
            public static int Total() => counts.Values.Sum() + n;
            ```

            <!-- snippet: skip | reason: shape of a JSON-like call, not C# -->
            ```csharp
            Predict(...)
            ```

            ```bash
            ./build.sh demo
            ```

            ```csharp
            var x = 1;
            ```
            """;
        var snippets = DocSnippet.Parse("a.md", markdown);
        Assert.Equal(new[] { DocSnippetKind.Members, DocSnippetKind.Skip, DocSnippetKind.Statements }, snippets.Select(s => s.Kind));
        Assert.Equal("Dictionary<string, int> counts, int n", snippets[0].Context);
        Assert.Equal(new[] { "System.Text" }, snippets[0].Usings);
        Assert.Empty(DocSnippetCompiler.Compile(snippets[0]));
        Assert.Equal("shape of a JSON-like call, not C#", snippets[1].Reason);
        Assert.Equal(16, snippets[2].Line);

        Assert.Throws<FormatException>(() => DocSnippet.Parse("b.md", "<!-- snippet: skip -->\n```csharp\nx\n```\n"));
        Assert.Throws<FormatException>(() => DocSnippet.Parse("b.md", "<!-- snippet: methods -->\n```csharp\nx\n```\n"));
    }
}
