using System.Text.Json;
using Hermes.Abstractions;
using Hermes.Backbones;
using Hermes.Operations;
using Hermes.Priors.Losses;
using Hermes.Runtime;
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

    private bool backwardDone;

    public string Directory { get; }

    public UniversalSegmenter Model { get; }

    public Dictionary<string, Tensor> Io { get; }

    public JsonDocument Config { get; }

    public ScalarType DType { get; }

    public Dictionary<string, Tensor> Activations { get; } = [];

    public SegmenterOutput Output { get; private set; } = null!;

    /// <summary>
    /// float32 always runs; float64 (a diagnostic that separates bugs from precision, slow on CPU) only with
    /// HERMES_PARITY_FLOAT64=1.
    /// </summary>
    public static ScalarType RequireDType(ScalarType dtype)
    {
        Skip.If(dtype == ScalarType.Float64 && Environment.GetEnvironmentVariable("HERMES_PARITY_FLOAT64") != "1",
            "float64 parity is a diagnostic; set HERMES_PARITY_FLOAT64=1 to run it.");
        return dtype;
    }

    /// <summary>
    /// Builds the fixture's model in <paramref name="dtype"/> and runs its training forward pass; the convolutions record
    /// their weight gradients the way <paramref name="weightGradients"/> says and run their training forward pass and input
    /// gradients the way <paramref name="forward"/> says (both choices are made in the forward pass).
    /// </summary>
    public static ParityRun Start(string fixture, ScalarType dtype, Conv3dWeightGradientMode weightGradients = Conv3dWeightGradientMode.Auto,
        Conv3dForwardMode forward = Conv3dForwardMode.Auto)
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
        Skip.If(forward == Conv3dForwardMode.Winograd && !WinogradConvolution.IsSupported, "The Winograd convolution needs x64 with AVX2.");
        using var mode = GemmWeightGradientConvolution.Use(weightGradients);
        using var forwardMode = WinogradConvolution.Use(forward);
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

    public void AssertLosses(bool aux, Action<string> log)
    {
        using var scope = NewDisposeScope();
        var input = LossInput;

        // The reference logs loss.ce / loss.dice of the last output it scored: `out` for Hermes-R, `aux_out` for Hermes-M
        // (its deep-supervision loop runs over [out, aux_out]); loss.seg and loss.total cover every output.
        var last = input with { Logits = Output.AuxiliaryLogits.Count > 0 ? Output.AuxiliaryLogits[^1] : Output.Logits };
        var ce = new MaskedBinaryCrossEntropyLoss(TaskCount).Compute(last);
        var dice = new AdaptiveBinaryDiceLoss(TaskCount).Compute(last);
        var mod = new ModalityCrossEntropyLoss().Compute(input);
        var full = HermesLoss.Create(TaskCount, ModalityWeight, AuxWeights);
        var (total, parts) = full.ComputeTerms(input);
        AssertRelative(log, "loss.ce", ce, Io["loss.ce"]);
        AssertRelative(log, "loss.dice", dice, Io["loss.dice"]);
        AssertRelative(log, "loss.mod", mod, Io["loss.mod"]);
        AssertRelative(log, "loss.seg", parts["seg"], Io["loss.seg"]);
        AssertRelative(log, "loss.total", total, Io["loss.total"]);
        Assert.Equal(aux, Output.AuxiliaryLogits.Count > 0);
    }

    public void AssertGradients(Action<string> log)
    {
        lock (this)
        {
            if (!backwardDone)
            {
                using var total = TotalLoss();
                total.backward();
                backwardDone = true;
            }
        }

        var compared = 0;
        var worst = (Name: string.Empty, Ratio: 0.0);
        var failures = new List<string>();
        foreach (var (name, p) in Model.named_parameters())
        {
            var key = "grad." + name;
            Assert.True(Io.ContainsKey(key), $"No reference gradient for parameter '{name}'.");
            Assert.True(p.grad is not null, $"Parameter '{name}' received no gradient.");
            var d = FixtureTensors.MaxAbsDiff(p.grad!, Io[key]);
            var ratio = d / Math.Max(1.0, FixtureTensors.MaxAbs(Io[key]));
            if (Environment.GetEnvironmentVariable("HERMES_DEBUG_GRADS") == "1")
            {
                log($"{key} {ratio:E2}");
            }

            if (ratio > 1e-3)
            {
                failures.Add($"{key}: max |ours − ref| = {d:E3} ({ratio:E2} of max(1, max|ref|))");
            }

            if (ratio >= worst.Ratio)
            {
                worst = (name, ratio);
            }

            compared++;
        }

        Assert.Equal(Io.Keys.Count(k => k.StartsWith("grad.", StringComparison.Ordinal)), compared);
        log($"{compared} gradients compared; worst {worst.Name}: {worst.Ratio:E2} of max(1, max|ref|)");
        Assert.True(failures.Count == 0, $"{failures.Count} gradients out of tolerance:\n{string.Join("\n", failures)}");
    }

    /// <summary>
    /// Runs the model again without autograd (inference), its dense 3³ convolutions as <paramref name="forward"/> says, and
    /// compares every <c>act.*</c> stage and output the fixture holds with the reference (1e-4 · max(1, max|ref|)) — at least
    /// <paramref name="minimumCompared"/> tensors. Skips the Winograd mode on CPUs that cannot run it.
    /// </summary>
    public void AssertInferenceMatchesReference(Conv3dForwardMode forward, int minimumCompared, Action<string> log)
    {
        Skip.If(forward == Conv3dForwardMode.Winograd && !WinogradConvolution.IsSupported, "The Winograd convolution needs x64 with AVX2.");
        using var scope = NewDisposeScope();
        using var mode = WinogradConvolution.Use(forward);
        using var noGrad = no_grad();
        var activations = new Dictionary<string, Tensor>();
        using var x = Io["x"].to_type(DType);
        using var output = Model.Forward(x, Io["tgt_idx"], Io["mod_idx"], (name, t) =>
            activations[name] = t.detach().clone().DetachFromDisposeScope()); // the model's own scopes would free it
        try
        {
            var compared = CompareInference(activations, output, log);
            Assert.True(compared >= minimumCompared, $"Only {compared} tensors were compared.");
        }
        finally
        {
            foreach (var t in activations.Values)
            {
                t.Dispose();
            }
        }
    }

    private int CompareInference(Dictionary<string, Tensor> activations, SegmenterOutput output, Action<string> log)
    {
        var compared = 0;
        foreach (var key in Io.Keys.Where(k => k.StartsWith("act.", StringComparison.Ordinal)).Order())
        {
            var name = key["act.".Length..];
            Assert.True(activations.ContainsKey(name), $"The model did not produce '{name}'.");
            log($"{key}: max abs diff {FixtureTensors.AssertClose(key, activations[name], Io[key], 1e-4):E2}");
            compared++;
        }

        log($"out: {FixtureTensors.AssertClose("out", output.Logits, Io["out"], 1e-4):E2}");
        log($"mod_out: {FixtureTensors.AssertClose("mod_out", output.ModalityLogits!, Io["mod_out"], 1e-4):E2}");
        compared += 2;
        if (Io.TryGetValue("aux_out", out var aux))
        {
            log($"aux_out: {FixtureTensors.AssertClose("aux_out", output.AuxiliaryLogits[0], aux, 1e-4):E2}");
            compared++;
        }

        return compared;
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

    private static void AssertRelative(Action<string> log, string name, Tensor actual, Tensor expected)
    {
        var a = actual.to_type(ScalarType.Float64).item<double>();
        var e = expected.to_type(ScalarType.Float64).item<double>();
        log($"{name}: ours {a:R}, reference {e:R}, relative {Math.Abs(a - e) / Math.Abs(e):E2}");
        Assert.True(Math.Abs(a - e) <= 1e-5 * Math.Abs(e), $"{name}: ours {a:R}, reference {e:R} (relative {Math.Abs(a - e) / Math.Abs(e):E2}).");
    }
}
