using System.Text.Json;
using Hermes.Abstractions;
using Hermes.Backbones;
using Hermes.Priors.Losses;
using Hermes.Testing;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Backbones.Tests;

/// <summary>One forward pass of a fixture model with its reference weights, with every observed stage captured.</summary>
internal sealed class ParityRun : IDisposable
{
    private ParityRun(string dir, UniversalSegmenter model, Dictionary<string, Tensor> io, JsonDocument config, ScalarType dtype)
    {
        Directory = dir;
        Model = model;
        Io = io;
        Config = config;
        DType = dtype;
    }

    public string Directory { get; }

    public UniversalSegmenter Model { get; }

    public Dictionary<string, Tensor> Io { get; }

    public JsonDocument Config { get; }

    public ScalarType DType { get; }

    public Dictionary<string, Tensor> Activations { get; } = [];

    public SegmenterOutput Output { get; private set; } = null!;

    public static ParityRun Start(string fixture, ScalarType dtype)
    {
        var dir = SharedAssets.RequireFixture(fixture);
        var model = HermesModelFactory.FromConfigFile(Path.Combine(dir, "config.json"));
        var weights = FixtureTensors.Read(Path.Combine(dir, "weights.safetensors"));
        FixtureTensors.LoadStrict(model, weights);
        foreach (var w in weights.Values)
        {
            w.Dispose();
        }

        model.to(dtype);
        var io = FixtureTensors.Read(Path.Combine(dir, "io.safetensors"));
        var config = JsonDocument.Parse(File.ReadAllText(Path.Combine(dir, "config.json")));
        var run = new ParityRun(dir, model, io, config, dtype);
        model.train();
        using var x = io["x"].to_type(dtype);
        run.Output = model.Forward(x, io["tgt_idx"], io["mod_idx"], (name, t) =>
            run.Activations[name] = t.detach().clone().DetachFromDisposeScope());
        return run;
    }

    public int TaskCount => Config.RootElement.GetProperty("tn").GetInt32();

    public double ModalityWeight => Config.RootElement.GetProperty("loss_mod_weight").GetDouble();

    public double[]? AuxWeights => Config.RootElement.TryGetProperty("aux_weight", out var w)
        ? w.EnumerateArray().Select(e => e.GetDouble()).ToArray()
        : null;

    public LossInput LossInput => new(Output.Logits, Io["label"], Io["tgt_idx"], Output.ModalityLogits, Io["mod_idx"],
        Output.AuxiliaryLogits);

    public Tensor TotalLoss()
    {
        var loss = HermesLoss.Create(TaskCount, ModalityWeight, AuxWeights);
        return loss.Compute(LossInput);
    }

    public void AssertLosses(bool aux)
    {
        using var scope = NewDisposeScope();
        var input = LossInput;
        var ce = new MaskedBinaryCrossEntropyLoss(TaskCount).Compute(input);
        var dice = new AdaptiveBinaryDiceLoss(TaskCount).Compute(input);
        var mod = new ModalityCrossEntropyLoss().Compute(input);
        var full = HermesLoss.Create(TaskCount, ModalityWeight, AuxWeights);
        var (total, parts) = full.ComputeTerms(input);
        AssertRelative("loss.ce", ce, Io["loss.ce"]);
        AssertRelative("loss.dice", dice, Io["loss.dice"]);
        AssertRelative("loss.mod", mod, Io["loss.mod"]);
        AssertRelative("loss.seg", parts["seg"], Io["loss.seg"]);
        AssertRelative("loss.total", total, Io["loss.total"]);
        Assert.Equal(aux, Output.AuxiliaryLogits.Count > 0);
    }

    public void AssertGradients()
    {
        using (var total = TotalLoss())
        {
            total.backward();
        }

        var compared = 0;
        foreach (var (name, p) in Model.named_parameters())
        {
            var key = "grad." + name;
            Assert.True(Io.ContainsKey(key), $"No reference gradient for parameter '{name}'.");
            Assert.True(p.grad is not null, $"Parameter '{name}' received no gradient.");
            FixtureTensors.AssertClose(key, p.grad!, Io[key], 1e-3);
            compared++;
        }

        Assert.Equal(Io.Keys.Count(k => k.StartsWith("grad.", StringComparison.Ordinal)), compared);
    }

    public void Dispose()
    {
        Output?.Dispose();
        foreach (var t in Activations.Values.Concat(Io.Values))
        {
            t.Dispose();
        }

        Model.Dispose();
        Config.Dispose();
    }

    private static void AssertRelative(string name, Tensor actual, Tensor expected)
    {
        var a = actual.to_type(ScalarType.Float64).item<double>();
        var e = expected.to_type(ScalarType.Float64).item<double>();
        Assert.True(Math.Abs(a - e) <= 1e-5 * Math.Abs(e), $"{name}: ours {a:R}, reference {e:R} (relative {Math.Abs(a - e) / Math.Abs(e):E2}).");
    }
}
