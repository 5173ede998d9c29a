using Hermes.Backbones;
using Hermes.Checkpoints;
using Hermes.Testing;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Hermes.Backbones.Tests;

/// <summary>
/// The original training checkpoint (<c>checkpoint.pth</c>) loads into the model built from config.json: its EMA entry
/// (the default) reproduces the reference output, its live entry (perturbed priors and heads) does not.
/// </summary>
public sealed class CheckpointImportParityTests(ITestOutputHelper log)
{
    [SkippableTheory]
    [InlineData("hermes_r_small")]
    [InlineData("hermes_m_small")]
    public void EmaEntryReproducesTheReferenceAndLiveEntryDoesNot(string fixture)
    {
        var dir = SharedAssets.RequireFixture(fixture);
        var checkpoint = Path.Combine(dir, "checkpoint.pth");
        Skip.IfNot(File.Exists(checkpoint), $"{checkpoint} not found.");
        using var model = HermesModelFactory.FromConfigFile(Path.Combine(dir, "config.json"));
        var io = FixtureTensors.Read(Path.Combine(dir, "io.safetensors"));
        try
        {
            var ema = Forward(model, WeightFile.Load(checkpoint), io);
            var bound = 1e-4 * Math.Max(1, FixtureTensors.MaxAbs(io["out"]));
            log.WriteLine($"{fixture}: EMA entry max |out − ref| = {ema:E2} (bound {bound:E2})");
            Assert.True(ema <= bound, $"EMA entry: max |out − ref| = {ema:E3} exceeds {bound:E3}.");

            var live = Forward(model, WeightFile.Load(checkpoint, "model_state_dict"), io);
            log.WriteLine($"{fixture}: live entry max |out − ref| = {live:E2}");
            Assert.True(live > 100 * bound, $"The live entry should not reproduce the reference; max diff only {live:E3}.");
        }
        finally
        {
            foreach (var t in io.Values)
            {
                t.Dispose();
            }
        }
    }

    private static double Forward(nn.Module<Tensor, Tensor, Tensor, Hermes.Abstractions.SegmenterOutput> model,
        IReadOnlyDictionary<string, Tensor> weights, Dictionary<string, Tensor> io)
    {
        var report = StateDictLoader.Load(model, weights);
        Assert.True(report.IsExact, report.Describe());
        foreach (var w in weights.Values)
        {
            w.Dispose();
        }

        using var _ = no_grad();
        using var output = model.forward(io["x"], io["tgt_idx"], io["mod_idx"]);
        return FixtureTensors.MaxAbsDiff(output.Logits, io["out"]);
    }
}
