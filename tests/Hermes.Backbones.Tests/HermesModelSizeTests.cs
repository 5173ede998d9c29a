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

    /// <summary>
    /// The built-in catalog (71 tasks, 5 named modalities) sizes a model for the published weights: tn = 72 (task tables of
    /// 73 rows, the null token last) and mn = 6 (modality tables of 6 rows, the last the unknown slot that AMOS-MR's −1
    /// selects). Sizing mn to the 5 named modalities would make −1 select cine-MRI's prior and reject the published weights.
    /// </summary>
    /// <param name="manifest">The manifest file.</param>
    [SkippableTheory]
    [InlineData("hermes_r_full.json")]
    [InlineData("hermes_m_full.json")]
    public void BuiltInCatalogSizesThePublishedPriorTables(string manifest)
    {
        var path = Path.Combine(SharedAssets.RequireFixtures(), "manifests", manifest);
        Skip.IfNot(File.Exists(path), $"Manifest {path} not found.");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var tables = doc.RootElement.GetProperty("state_dict").EnumerateArray()
            .Select(e => (Name: e[0].GetString()!, Rows: e[1][0].GetInt64()))
            .Where(e => e.Name.EndsWith(".task_prior", StringComparison.Ordinal) || e.Name.EndsWith(".modality_prior", StringComparison.Ordinal))
            .ToList();
        Assert.Equal(10, tables.Count); // five fusion points, a task and a modality table each

        var vocabulary = Hermes.Data.TaskCatalog.CreateHermes().Vocabulary;
        Assert.Equal(72, vocabulary.ModelTaskCount);
        Assert.Equal(6, vocabulary.ModelModalityCount);
        Assert.Equal(-1, vocabulary.ModalityIndex(Hermes.Data.TaskVocabulary.UnknownModality));
        foreach (var (name, rows) in tables)
        {
            var expected = name.EndsWith(".task_prior", StringComparison.Ordinal) ? vocabulary.ModelTaskCount + 1 : vocabulary.ModelModalityCount;
            Assert.True(expected == rows, $"{name}: the catalog sizes it to {expected} rows, the published weights have {rows}.");
        }
    }
}
