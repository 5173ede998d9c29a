using System.Diagnostics;
using System.IO.Compression;
using System.Xml.Linq;
using Hermes.Testing;

namespace Hermes.Cli.Tests.Packaging;

/// <summary>
/// <c>dotnet pack</c> produces the four library packages and the <c>hermes</c> tool with readme, XML docs and the right
/// dependencies: libraries depend on TorchSharp only (never a runtime package); the tool ships one package per platform,
/// installs with <c>dotnet tool install</c> from that local feed, and runs.
/// </summary>
public sealed class NuGetPackageTests : IClassFixture<NuGetPackageTests.PackedSolution>
{
    private readonly PackedSolution packed;

    public NuGetPackageTests(PackedSolution packed) => this.packed = packed;

    [Theory]
    [InlineData("Hermes.Core", new[] { "TorchSharp" })]
    [InlineData("Hermes.Backbones", new[] { "Hermes.Core" })]
    [InlineData("Hermes.Priors", new[] { "Hermes.Core" })]
    [InlineData("Hermes.Visualization", new[] { "Hermes.Core", "SkiaSharp", "ScottPlot" })]
    public void LibraryPackageHasReadmeDocsAndOnlyLibraryDependencies(string id, string[] requiredDependencies)
    {
        using var zip = ZipFile.OpenRead(packed.PackagePath(id));
        var nuspec = Nuspec(zip);
        var deps = Dependencies(nuspec);

        foreach (var required in requiredDependencies)
        {
            Assert.Contains(required, deps);
        }

        Assert.DoesNotContain(deps, d => d.StartsWith("TorchSharp-", StringComparison.OrdinalIgnoreCase) || d.StartsWith("libtorch", StringComparison.OrdinalIgnoreCase));
        Assert.Equal("README.md", Element(nuspec, "readme"));
        Assert.Equal("MIT", Element(nuspec, "license"));
        Assert.False(string.IsNullOrWhiteSpace(Element(nuspec, "description")));
        Assert.Contains(zip.Entries, e => e.FullName == "README.md");
        Assert.Contains(zip.Entries, e => e.FullName == $"lib/net10.0/{id}.dll");
        var docs = zip.Entries.Single(e => e.FullName == $"lib/net10.0/{id}.xml");
        using var docStream = docs.Open();
        Assert.NotEmpty(XDocument.Load(docStream).Descendants("member"));
        Assert.DoesNotContain(zip.Entries, e => e.FullName.Contains("libtorch", StringComparison.OrdinalIgnoreCase));
    }

    [Theory]
    [InlineData("linux-x64", "libtorch_cpu.so", "libSkiaSharp.so")]
    [InlineData("win-x64", "torch_cpu.dll", "libSkiaSharp.dll")]
    [InlineData("osx-arm64", "libtorch_cpu.dylib", "libSkiaSharp.dylib")]
    public void ToolPackagePerPlatformCarriesOnlyItsOwnRuntime(string rid, string nativeLibrary, string graphicsLibrary)
    {
        var path = packed.PackagePath($"Hermes.Cli.{rid}");
        Assert.True(new FileInfo(path).Length < 250L * 1024 * 1024, $"{path} exceeds NuGet's 250 MB package limit");
        using var zip = ZipFile.OpenRead(path);
        var names = zip.Entries.Select(e => e.FullName).ToList();

        Assert.Contains($"tools/net10.0/{rid}/hermes.dll", names);
        Assert.Contains($"tools/net10.0/{rid}/DotnetToolSettings.xml", names);
        Assert.Contains(names, n => n.EndsWith("/" + nativeLibrary, StringComparison.Ordinal));
        Assert.Contains(names, n => n.EndsWith("/" + graphicsLibrary, StringComparison.Ordinal)); // the demo's overlays
        var otherNatives = new[] { "libtorch_cpu.so", "torch_cpu.dll", "libtorch_cpu.dylib" }.Where(n => n != nativeLibrary);
        Assert.DoesNotContain(names, n => otherNatives.Any(o => n.EndsWith("/" + o, StringComparison.Ordinal)));
    }

    [Fact]
    public void ToolPointerPackageNamesTheCommandAndEveryPlatform()
    {
        using var zip = ZipFile.OpenRead(packed.PackagePath("Hermes.Cli"));
        var settings = zip.Entries.Single(e => e.FullName.EndsWith("DotnetToolSettings.xml", StringComparison.Ordinal));
        using var stream = settings.Open();
        var xml = XDocument.Load(stream);
        Assert.Equal("hermes", xml.Descendants("Command").Single().Attribute("Name")?.Value);
        var rids = xml.Descendants("RuntimeIdentifierPackage").Select(e => e.Attribute("RuntimeIdentifier")?.Value).ToHashSet();
        Assert.Equal(new HashSet<string?> { "linux-x64", "win-x64", "osx-arm64" }, rids);
    }

    [SkippableFact]
    public void ToolInstallsFromTheLocalFeedAndRuns()
    {
        Skip.IfNot(OperatingSystem.IsLinux() && System.Runtime.InteropServices.RuntimeInformation.OSArchitecture == System.Runtime.InteropServices.Architecture.X64,
            "the packed tool's runtime package here is linux-x64");
        var tools = Directory.CreateTempSubdirectory("hermes-tool-").FullName;
        try
        {
            // As a user would: `dotnet tool install` resolves the pointer package and its linux-x64 package from the feed.
            var (code, output) = Run("dotnet", SharedAssets.RepositoryRoot, "tool", "install", "Hermes.Cli", "--version", "0.1.0",
                "--tool-path", tools, "--add-source", packed.Folder);
            Assert.True(code == 0, output);
            Assert.Contains("hermes", output, StringComparison.Ordinal);

            (code, output) = Run(Path.Combine(tools, "hermes"), tools, "--help");
            Assert.True(code == 0, output);
            foreach (var command in new[] { "predict", "train", "evaluate", "info", "demo", "extend" })
            {
                Assert.Contains(command, output, StringComparison.Ordinal);
            }

            // The installed tool loads its LibTorch (the runtime guard reports the native runtime it found).
            (code, output) = Run(Path.Combine(tools, "hermes"), tools, "info", "--system");
            Assert.True(code == 0, output);
            Assert.Contains("LibTorch", output, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(tools, recursive: true);
            // The global package cache must not keep this build's packages: the next run installs its own again.
            var cache = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            foreach (var id in new[] { "hermes.cli", "hermes.cli.linux-x64" })
            {
                var folder = Path.Combine(cache, id, "0.1.0");
                if (Directory.Exists(folder))
                {
                    Directory.Delete(folder, recursive: true);
                }
            }
        }
    }

    private static (int Code, string Output) Run(string file, string folder, params string[] args)
    {
        var (code, output, error) = ChildProcess.Run(ChildProcess.StartInfo(file, args, folder), TimeSpan.FromMinutes(5));
        return (code, output + error);
    }

    private static XElement Nuspec(ZipArchive zip)
    {
        var entry = zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal));
        using var s = entry.Open();
        return XDocument.Load(s).Root!;
    }

    private static string? Element(XElement nuspec, string name) =>
        nuspec.Descendants().FirstOrDefault(e => e.Name.LocalName == name)?.Value;

    private static List<string> Dependencies(XElement nuspec) =>
        nuspec.Descendants().Where(e => e.Name.LocalName == "dependency").Select(e => (string)e.Attribute("id")!).ToList();

    /// <summary>Packs the whole solution once into a temporary folder.</summary>
    public sealed class PackedSolution : IDisposable
    {
        private readonly string output = Directory.CreateTempSubdirectory("hermes-packages-").FullName;

        public PackedSolution()
        {
            var (code, stdout, stderr) = ChildProcess.Run(
                ChildProcess.StartInfo("dotnet", ["pack", "Hermes.Core.sln", "-c", "Release", "-o", output, "-p:ContinuousIntegrationBuild=true"], SharedAssets.RepositoryRoot),
                TimeSpan.FromMinutes(20));
            if (code != 0)
            {
                throw new InvalidOperationException($"dotnet pack failed ({code}):\n{stdout}\n{stderr}");
            }
        }

        /// <summary>The folder the packages were written to (a local feed).</summary>
        public string Folder => output;

        public string PackagePath(string id)
        {
            var path = Path.Combine(output, $"{id}.0.1.0.nupkg");
            Assert.True(File.Exists(path), $"package {id} was not produced in {output}: {string.Join(", ", Directory.GetFiles(output).Select(Path.GetFileName))}");
            return path;
        }

        public void Dispose() => Directory.Delete(output, recursive: true);
    }
}
