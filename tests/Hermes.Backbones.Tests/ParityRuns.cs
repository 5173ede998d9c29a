using System.Collections.Concurrent;
using Hermes.Runtime;
using TorchSharp;

namespace Hermes.Backbones.Tests;

/// <summary>Class fixture: one forward pass per (fixture, dtype, weight-gradient mode, forward mode), shared by a test class's tests.</summary>
public sealed class ParityRuns : IDisposable
{
    private readonly ConcurrentDictionary<(string, torch.ScalarType, Conv3dWeightGradientMode, Conv3dForwardMode), Lazy<ParityRun>> runs = new();

    internal ParityRun Get(string fixture, torch.ScalarType dtype, Conv3dWeightGradientMode weightGradients = Conv3dWeightGradientMode.Auto,
        Conv3dForwardMode forward = Conv3dForwardMode.Auto) =>
        runs.GetOrAdd((fixture, dtype, weightGradients, forward),
            key => new Lazy<ParityRun>(() => ParityRun.Start(key.Item1, key.Item2, key.Item3, key.Item4))).Value;

    public void Dispose()
    {
        foreach (var r in runs.Values.Where(r => r.IsValueCreated))
        {
            r.Value.Dispose();
        }
    }
}
