using System.Collections.Concurrent;
using TorchSharp;

namespace Hermes.Backbones.Tests;

/// <summary>Class fixture: one forward pass per (fixture, dtype), shared by a test class's tests.</summary>
public sealed class ParityRuns : IDisposable
{
    private readonly ConcurrentDictionary<(string, torch.ScalarType), Lazy<ParityRun>> runs = new();

    internal ParityRun Get(string fixture, torch.ScalarType dtype) =>
        runs.GetOrAdd((fixture, dtype), key => new Lazy<ParityRun>(() => ParityRun.Start(key.Item1, key.Item2))).Value;

    public void Dispose()
    {
        foreach (var r in runs.Values.Where(r => r.IsValueCreated))
        {
            r.Value.Dispose();
        }
    }
}
