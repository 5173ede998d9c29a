using Hermes.Runtime;
using Hermes.Testing;
using TorchSharp;
using Xunit.Abstractions;
using static TorchSharp.torch;

namespace Hermes.Backbones.Tests;

/// <summary>
/// Hermes-M built from the fixture's config.json, loaded with the reference weights, reproduces the reference's
/// activations (features, semantic maps, posteriors, map fusion), <c>out</c>, <c>aux_out</c>, <c>mod_out</c>, the
/// deep-supervised losses and every gradient (fixture README tolerances).
/// </summary>
public sealed class MedFormerParityTests(ParityRuns runs, ITestOutputHelper log) : IClassFixture<ParityRuns>
{
    private const string Fixture = "hermes_m_small";

    [SkippableTheory]
    [InlineData(ScalarType.Float32)]
    [InlineData(ScalarType.Float64)]
    public void ActivationsAndOutputsMatchTheReference(ScalarType dtype)
    {
        var run = runs.Get(Fixture, ParityRun.RequireDType(dtype));
        var io = run.Io;
        var checkedKeys = 0;
        foreach (var key in io.Keys.Where(k => k.StartsWith("act.", StringComparison.Ordinal)).Order())
        {
            var name = key["act.".Length..];
            Assert.True(run.Activations.ContainsKey(name), $"The model did not produce '{name}'.");
            var d = FixtureTensors.AssertClose(key, run.Activations[name], io[key], 1e-4);
            log.WriteLine($"{key}: max abs diff {d:E2} (max |ref| {FixtureTensors.MaxAbs(io[key]):G3})");
            checkedKeys++;
        }

        Assert.True(checkedKeys >= 24, $"Only {checkedKeys} activation keys were compared.");
        Assert.Single(run.Output.AuxiliaryLogits);
        log.WriteLine($"out: {FixtureTensors.AssertClose("out", run.Output.Logits, io["out"], 1e-4):E2}");
        log.WriteLine($"aux_out: {FixtureTensors.AssertClose("aux_out", run.Output.AuxiliaryLogits[0], io["aux_out"], 1e-4):E2}");
        log.WriteLine($"mod_out: {FixtureTensors.AssertClose("mod_out", run.Output.ModalityLogits!, io["mod_out"], 1e-4):E2}");
    }

    [SkippableTheory]
    [InlineData(Conv3dForwardMode.LibTorch)]
    [InlineData(Conv3dForwardMode.Winograd)] // WinogradConvolution at 32³ (512-bit lanes where AVX-512 runs) and 16³ (256-bit)
    public void InferenceActivationsAndOutputsMatchTheReference(Conv3dForwardMode forward)
    {
        runs.Get(Fixture, ScalarType.Float32).AssertInferenceMatchesReference(forward, minimumCompared: 24 + 3, log.WriteLine);
    }

    [SkippableFact]
    public void LossesMatchTheReference()
    {
        var run = runs.Get(Fixture, ScalarType.Float32);
        run.AssertLosses(aux: true, log.WriteLine);
    }

    [SkippableTheory]
    [InlineData(ScalarType.Float32, Conv3dWeightGradientMode.LibTorch, Conv3dForwardMode.LibTorch)] // LibTorch's convolution throughout
    [InlineData(ScalarType.Float32, Conv3dWeightGradientMode.Gemm, Conv3dForwardMode.LibTorch)]     // GEMM weight gradients under LibTorch's forward
    [InlineData(ScalarType.Float32, Conv3dWeightGradientMode.Gemm, Conv3dForwardMode.Winograd)]     // Winograd forward and input gradient, GEMM weight gradients
    [InlineData(ScalarType.Float32, Conv3dWeightGradientMode.Winograd, Conv3dForwardMode.Winograd)] // TrainingConvolution with Winograd throughout
    [InlineData(ScalarType.Float64, Conv3dWeightGradientMode.Auto, Conv3dForwardMode.Auto)]
    public void GradientsMatchTheReference(ScalarType dtype, Conv3dWeightGradientMode weightGradients, Conv3dForwardMode forward)
    {
        var run = runs.Get(Fixture, ParityRun.RequireDType(dtype), weightGradients, forward);
        run.AssertGradients(log.WriteLine);
    }
}
