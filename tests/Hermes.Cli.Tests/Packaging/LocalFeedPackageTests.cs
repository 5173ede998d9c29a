using System.Diagnostics;
using System.Xml.Linq;
using Hermes.Testing;

namespace Hermes.Cli.Tests.Packaging;

/// <summary>
/// The "used-by" path: Hermes.Core, Hermes.Backbones and Hermes.Priors are packed into a temporary local feed; a fresh
/// console project (its nuget.config lists that feed plus the repository's public feeds) runs <c>dotnet add package</c>
/// for them and TorchSharp-cpu, builds, and segments a 32³ phantom with a small Hermes-R; the test checks the printed
/// output shape.
/// </summary>
public sealed class LocalFeedPackageTests
{
    private const string Program = """
        using Hermes.Backbones;
        using static TorchSharp.torch;

        using var model = HermesR.Create(new HermesROptions { Backbone = new ResUNetOptions { BaseChannels = 4 }, TaskCount = 3, ModalityCount = 2, FusionBlocks = [1, 1, 1, 1, 1] });
        model.eval();
        var axis = arange(32, ScalarType.Float32).sub(15.5f);
        var r2 = axis.view(32, 1, 1).square().add(axis.view(1, 32, 1).square()).add(axis.view(1, 1, 32).square());
        var phantom = r2.lt(100).to(ScalarType.Float32).view(1, 1, 32, 32, 32);
        using var noGrad = no_grad();
        using var output = model.forward(phantom, tensor(new long[] { 0, 1 }, [1, 2]), tensor(new long[] { 0 }, [1, 1]));
        Console.WriteLine($"logits [{string.Join(", ", output.Logits.shape)}] finite={output.Logits.isfinite().all().item<bool>()}");
        """;

    [Fact]
    public void FreshConsoleProjectAddsThePackagesFromALocalFeedAndSegmentsAPhantom()
    {
        var root = SharedAssets.RepositoryRoot;
        var work = Directory.CreateTempSubdirectory("hermes-localfeed-").FullName;
        try
        {
            var feed = Directory.CreateDirectory(Path.Combine(work, "feed")).FullName;
            foreach (var project in new[] { "Hermes.Core", "Hermes.Priors", "Hermes.Backbones" })
            {
                Dotnet(root, "pack", Path.Combine(root, "src", project, $"{project}.csproj"), "-c", "Release", "-o", feed);
            }

            var app = Directory.CreateDirectory(Path.Combine(work, "app")).FullName;
            File.WriteAllText(Path.Combine(app, "nuget.config"), NuGetConfig(root, feed));
            Dotnet(app, "new", "console", "--framework", "net10.0", "--name", "UsedBy", "--output", app);
            File.WriteAllText(Path.Combine(app, "Program.cs"), Program);
            foreach (var (id, version) in new[] { ("Hermes.Core", "0.1.0"), ("Hermes.Priors", "0.1.0"), ("Hermes.Backbones", "0.1.0"), ("TorchSharp-cpu", "0.107.0") })
            {
                Dotnet(app, "add", "package", id, "--version", version);
            }

            var output = Dotnet(app, "run", "-c", "Release");
            Assert.Contains("logits [1, 2, 32, 32, 32] finite=True", output);
            Assert.True(File.Exists(Path.Combine(app, "obj", "project.assets.json")));
        }
        finally
        {
            // The global package cache is shared (LibTorch is ~1 GB); the Hermes packages are removed from it so the next
            // run restores them from its own feed again instead of a stale copy.
            var cache = Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages");
            foreach (var id in new[] { "hermes.core", "hermes.priors", "hermes.backbones" })
            {
                var dir = Path.Combine(cache, id, "0.1.0");
                if (Directory.Exists(dir))
                {
                    Directory.Delete(dir, recursive: true);
                }
            }

            Directory.Delete(work, recursive: true);
        }
    }

    /// <summary>The local feed first, then every source of the repository's nuget.config.</summary>
    private static string NuGetConfig(string root, string feed)
    {
        var repo = XDocument.Load(Path.Combine(root, "nuget.config"));
        var sources = repo.Descendants("packageSources").Single();
        sources.Elements("clear").Remove();
        sources.AddFirst(new XElement("add", new XAttribute("key", "local"), new XAttribute("value", feed)));
        sources.AddFirst(new XElement("clear"));
        return repo.ToString();
    }

    private static string Dotnet(string workingDirectory, params string[] args)
    {
        var start = ChildProcess.StartInfo("dotnet", args, workingDirectory);
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        var (code, stdout, stderr) = ChildProcess.Run(start, TimeSpan.FromMinutes(10));
        Assert.True(code == 0, $"dotnet {string.Join(' ', args)} failed ({code}):\n{stdout}\n{stderr}");
        return stdout;
    }
}
