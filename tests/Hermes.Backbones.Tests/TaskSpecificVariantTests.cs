using System.Text.Json;
using Hermes.Backbones;
using Hermes.Testing;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Backbones.Tests;

/// <summary>
/// The plain task-specific variants (no priors, fixed classes, 1×1×1 head) share the Hermes backbones' state-dict names
/// (so backbone weights transfer) and produce one logit channel per class.
/// </summary>
public sealed class TaskSpecificVariantTests
{
    [SkippableFact]
    public void PlainResUNetHasTheHermesRBackboneNamesPlusAConvHead()
    {
        var path = Path.Combine(SharedAssets.RequireFixtures(), "manifests", "hermes_r_full.json");
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var backbone = doc.RootElement.GetProperty("state_dict").EnumerateArray()
            .Select(e => (Name: e[0].GetString()!, Shape: e[1].EnumerateArray().Select(d => d.GetInt64()).ToArray()))
            .Where(e => !e.Name.StartsWith("prior_", StringComparison.Ordinal) && !e.Name.StartsWith("out.", StringComparison.Ordinal)
                        && !e.Name.StartsWith("mod_out.", StringComparison.Ordinal))
            .ToList();
        using var model = TaskSpecificSegmenter.ResUNet(null, classes: 16);
        var actual = model.named_parameters().Select(p => (p.name, p.parameter.shape)).ToList();
        Assert.Equal(backbone.Count + 2, actual.Count);
        for (var i = 0; i < backbone.Count; i++)
        {
            Assert.Equal(backbone[i].Name, actual[i].name);
            Assert.Equal(backbone[i].Shape, actual[i].shape);
        }

        Assert.Equal("out.weight", actual[^2].name);
        Assert.Equal(new long[] { 16, 32, 1, 1, 1 }, actual[^2].shape);
        Assert.Equal("out.bias", actual[^1].name);
        Assert.Equal(new long[] { 16 }, actual[^1].shape);
    }

    [Fact]
    public void PlainVariantsPredictOneChannelPerClass()
    {
        using var scope = NewDisposeScope();
        using var resUNet = TaskSpecificSegmenter.ResUNet(new ResUNetOptions { BaseChannels = 4 }, classes: 3);
        using var medFormer = TaskSpecificSegmenter.MedFormer(SmallBackbones.MedFormer(), classes: 5);
        Assert.DoesNotContain(medFormer.named_parameters(), p => p.name.Contains("prior", StringComparison.Ordinal));
        using var _ = no_grad();
        var x = randn([2, 1, 32, 32, 32]);
        Assert.Equal(new long[] { 2, 3, 32, 32, 32 }, resUNet.forward(x).shape);
        Assert.Equal(new long[] { 2, 5, 32, 32, 32 }, medFormer.forward(x).shape);
        var bad = Assert.Throws<ArgumentException>(() => medFormer.forward(randn([1, 1, 40, 32, 32])));
        Assert.Contains("multiple of 16", bad.Message);
    }
}
