using System.Text.Json;
using Hermes.Backbones;
using Hermes.Testing;
using TorchSharp;
using Xunit.Abstractions;

namespace Hermes.Backbones.Tests;

/// <summary>
/// The full published Hermes-R and Hermes-M, built from the manifests' configs, have the published parameter counts
/// and exactly the reference's state-dict names and shapes, in the reference's order.
/// </summary>
public sealed class HermesModelSizeTests(ITestOutputHelper output)
{
    [SkippableTheory]
    [InlineData("hermes_r_full.json", 60_884_998L)]
    [InlineData("hermes_m_full.json", 47_129_990L)]
    public void FullModelMatchesTheManifest(string manifest, long publishedParameters)
    {
        var path = Path.Combine(SharedAssets.RequireFixtures(), "manifests", manifest);
        Skip.IfNot(File.Exists(path), $"Manifest {path} not found.");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        Assert.Equal(publishedParameters, doc.RootElement.GetProperty("parameters").GetInt64());
        var expected = doc.RootElement.GetProperty("state_dict").EnumerateArray()
            .Select(e => (Name: e[0].GetString()!, Shape: e[1].EnumerateArray().Select(d => d.GetInt64()).ToArray()))
            .ToList();

        using var model = HermesModelFactory.FromConfigFile(path);
        var actual = model.named_parameters().Select(p => (Name: p.name, Shape: p.parameter.shape)).ToList();
        var count = actual.Sum(p => p.Shape.Aggregate(1L, (a, b) => a * b));
        output.WriteLine($"{manifest}: {count:N0} parameters in {actual.Count} tensors.");

        var missing = expected.Select(e => e.Name).Except(actual.Select(a => a.Name)).ToList();
        var unexpected = actual.Select(a => a.Name).Except(expected.Select(e => e.Name)).ToList();
        Assert.True(missing.Count == 0 && unexpected.Count == 0,
            $"Missing: [{string.Join(", ", missing.Take(20))}]; unexpected: [{string.Join(", ", unexpected.Take(20))}].");
        for (var i = 0; i < expected.Count; i++)
        {
            Assert.Equal(expected[i].Name, actual[i].Name);
            Assert.True(expected[i].Shape.SequenceEqual(actual[i].Shape),
                $"{expected[i].Name}: ours [{string.Join(", ", actual[i].Shape)}], reference [{string.Join(", ", expected[i].Shape)}].");
        }

        Assert.Equal(publishedParameters, count);
    }
}
