using System.Reflection;
using System.Text;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace Hermes.Cli.Tests.Docs;

/// <summary>
/// Compiles documentation snippets with Roslyn against the assemblies this test runs with (the .NET runtime, Hermes.Core,
/// Hermes.Priors, Hermes.Backbones, TorchSharp, Microsoft.Extensions.*, the samples). Fragments are wrapped as
/// <see cref="DocSnippetKind"/> says, with <c>#line</c> directives so errors point at the Markdown line.
/// </summary>
public static class DocSnippetCompiler
{
    /// <summary>The assemblies whose public namespaces fragments (statements, members) import by default.</summary>
    public static readonly IReadOnlyList<string> LibraryAssemblies = ["Hermes.Core", "Hermes.Priors", "Hermes.Backbones"];

    /// <summary>The .NET SDK's implicit usings of a console application: every snippet has them.</summary>
    public static readonly IReadOnlyList<string> ImplicitUsings =
    [
        "System", "System.Collections.Generic", "System.IO", "System.Linq", "System.Net.Http", "System.Threading", "System.Threading.Tasks",
    ];

    /// <summary>What fragments (statements, members) import besides <see cref="ImplicitUsings"/> and the libraries' namespaces.</summary>
    public static readonly IReadOnlyList<string> FragmentUsings = ["TorchSharp", "static TorchSharp.torch"];

    private static readonly Lazy<MetadataReference[]> References = new(LoadReferences);
    private static readonly Lazy<string[]> DefaultUsings = new(LoadDefaultUsings);

    /// <summary>Compiles one snippet; returns its errors (empty when it compiles), each as <c>document:line: CSxxxx message</c>.</summary>
    /// <param name="snippet">The snippet (not <see cref="DocSnippetKind.Skip"/>).</param>
    public static IReadOnlyList<string> Compile(DocSnippet snippet)
    {
        ArgumentNullException.ThrowIfNull(snippet);
        if (snippet.Kind == DocSnippetKind.Skip)
        {
            throw new ArgumentException($"{snippet} is marked skip; it is not compiled.", nameof(snippet));
        }

        var source = Wrap(snippet);
        var parse = new CSharpParseOptions(LanguageVersion.Latest);
        var tree = CSharpSyntaxTree.ParseText(source, parse, path: "snippet.cs", encoding: Encoding.UTF8);
        var options = new CSharpCompilationOptions(
            snippet.Kind == DocSnippetKind.Program ? OutputKind.ConsoleApplication : OutputKind.DynamicallyLinkedLibrary,
            nullableContextOptions: NullableContextOptions.Enable);
        var compilation = CSharpCompilation.Create("DocSnippet", [tree], References.Value, options);
        return [.. compilation.GetDiagnostics()
            .Where(d => d.Severity == DiagnosticSeverity.Error)
            .Select(d =>
            {
                var at = d.Location.GetMappedLineSpan();
                var where = at.HasMappedPath ? $"{at.Path}:{at.StartLinePosition.Line + 1}" : $"{snippet} (wrapper line {at.StartLinePosition.Line + 1})";
                return $"{where}: {d.Id} {d.GetMessage(System.Globalization.CultureInfo.InvariantCulture)}";
            })];
    }

    /// <summary>The C# source compiled for <paramref name="snippet"/>.</summary>
    /// <param name="snippet">The snippet.</param>
    public static string Wrap(DocSnippet snippet)
    {
        ArgumentNullException.ThrowIfNull(snippet);
        var code = new StringBuilder();
        var at = $"#line {snippet.Line} \"{snippet.Document}\"\n{snippet.Code}\n#line default\n";
        if (snippet.Kind == DocSnippetKind.Program)
        {
            foreach (var u in ImplicitUsings.Concat(snippet.Usings))
            {
                code.Append("global using ").Append(u).Append(";\n");
            }

            return code.Append(at).ToString();
        }

        foreach (var u in ImplicitUsings.Concat(FragmentUsings).Concat(DefaultUsings.Value).Concat(snippet.Usings).Distinct(StringComparer.Ordinal))
        {
            code.Append("using ").Append(u).Append(";\n");
        }

        code.Append("\ninternal sealed class Snippet\n{\n");
        if (snippet.Kind == DocSnippetKind.Statements)
        {
            code.Append("#pragma warning disable CS1998\n    internal static async Task Run(").Append(snippet.Context).Append(")\n    {\n")
                .Append(at).Append("    }\n");
        }
        else
        {
            // Members: the context's parameters become static fields.
            var parameters = SyntaxFactory.ParseParameterList($"({snippet.Context})");
            foreach (var p in parameters.Parameters)
            {
                code.Append("    private static ").Append(p.Type).Append(' ').Append(p.Identifier.Text).Append(" = default!;\n");
            }

            code.Append(at);
        }

        return code.Append("}\n").ToString();
    }

    private static MetadataReference[] LoadReferences()
    {
        var paths = ((string?)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries);
        return [.. paths.Where(p => p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase)).Select(p => MetadataReference.CreateFromFile(p))];
    }

    private static string[] LoadDefaultUsings() =>
        [.. LibraryAssemblies
            .SelectMany(name => Assembly.Load(name).GetExportedTypes())
            .Select(t => t.Namespace)
            .OfType<string>()
            .Distinct(StringComparer.Ordinal)
            .Order(StringComparer.Ordinal)];
}
