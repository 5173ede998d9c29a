using Hermes.Abstractions;
using Hermes.Backbones;
using Hermes.Priors.Losses;
using Hermes.Runtime;
using Hermes.Testing;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Hermes.Backbones.Tests;

/// <summary>
/// Hermes-R built from the fixture's config.json, loaded with the reference weights, reproduces the reference's
/// activations, outputs, losses and gradients (fixture README tolerances), in float32 (oneDNN guard active) and float64.
/// </summary>
public sealed class ResUNetParityTests(ParityRuns runs, ITestOutputHelper log) : IClassFixture<ParityRuns>
{
    private const string Fixture = "hermes_r_small";

    private static readonly string[] Stages =
    [
        "inc", "down1", "down2", "prior_init_fuse_2", "prior_init_fuse_3", "down3", "down4", "prior_init_fuse_4",
        "up1", "prior_fuse_5", "up2", "prior_fuse_6", "up3", "up4",
    ];

    [SkippableTheory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float64)]
    public void ActivationsAndOutputsMatchTheReference(ScalarType dtype)
    {
        var run = runs.Get(Fixture, ParityRun.RequireDType(dtype));
        var io = run.Io;
        var checkedKeys = 0;
        foreach (var key in io.Keys.Where(k => k.StartsWith("act.", StringComparison.Ordinal)))
        {
            var name = key["act.".Length..];
            Assert.True(run.Activations.ContainsKey(name), $"The model did not produce stage '{name}'.");
            var d = FixtureTensors.AssertClose(key, run.Activations[name], io[key], 1e-4);
            log.WriteLine($"{key}: max abs diff {d:E2} (max |ref| {FixtureTensors.MaxAbs(io[key]):G3})");
            checkedKeys++;
        }

        Assert.True(checkedKeys >= Stages.Length, $"Only {checkedKeys} activation keys were compared.");
        log.WriteLine($"out: {FixtureTensors.AssertClose("out", run.Output.Logits, io["out"], 1e-4):E2}");
        log.WriteLine($"mod_out: {FixtureTensors.AssertClose("mod_out", run.Output.ModalityLogits!, io["mod_out"], 1e-4):E2}");
    }

    [SkippableTheory]
    [InlineData(Conv3dForwardMode.LibTorch)]
    [InlineData(Conv3dForwardMode.Winograd)] // WinogradConvolution at 32³ (512-bit lanes where AVX-512 runs) and 16³ (256-bit)
    public void InferenceActivationsAndOutputsMatchTheReference(Conv3dForwardMode forward)
    {
        runs.Get(Fixture, ScalarType.Float32).AssertInferenceMatchesReference(forward, minimumCompared: Stages.Length + 2, log.WriteLine);
    }

    [SkippableTheory]
    [InlineData(ScalarType.Float32)]
    public void LossesMatchTheReference(ScalarType dtype)
    {
        var run = runs.Get(Fixture, ParityRun.RequireDType(dtype));
        run.AssertLosses(aux: false, log.WriteLine);
    }

    [SkippableTheory]
    [InlineData(Conv3dWeightGradientMode.LibTorch, Conv3dForwardMode.LibTorch)] // LibTorch's convolution throughout
    [InlineData(Conv3dWeightGradientMode.Gemm, Conv3dForwardMode.LibTorch)]     // GEMM weight gradients under LibTorch's forward
    [InlineData(Conv3dWeightGradientMode.Gemm, Conv3dForwardMode.Winograd)]     // Winograd forward and input gradient, GEMM weight gradients
    [InlineData(Conv3dWeightGradientMode.Winograd, Conv3dForwardMode.Winograd)] // TrainingConvolution with Winograd throughout
    public void GradientsMatchTheReference(Conv3dWeightGradientMode weightGradients, Conv3dForwardMode forward)
    {
        var run = runs.Get(Fixture, ScalarType.Float32, weightGradients, forward);
        run.AssertGradients(log.WriteLine);
    }

    [SkippableFact]
    public void OutputDependsOnPaddingCountAsInTheReference()
    {
        // Reference §4: task tokens attend to each other, so adding null columns changes real-task logits.
        var run = runs.Get(Fixture, ScalarType.Float32);
        using var scope = NewDisposeScope();
        var tgt = run.Io["tgt_idx"];
        var padded = cat([tgt, full(tgt.shape[0], 3, -1L, ScalarType.Int64)], 1);
        using var _ = no_grad();
        using var a = run.Model.forward(run.Io["x"], tgt, run.Io["mod_idx"]);
        using var b = run.Model.forward(run.Io["x"], padded, run.Io["mod_idx"]);
        var moved = a.Logits[0, 0].sub(b.Logits[0, 0]).abs().max().item<float>();
        Assert.True(moved > 1e-4, $"Real-task logits moved only {moved} when padding grew; expected a visible change.");
    }
}
