using Hermes.Checkpoints;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Testing;

/// <summary>
/// Test-side access to the parity fixtures: reading safetensors files, strict by-name loading of a
/// state dict into a module, and tolerance checks as the fixture README defines them.
/// </summary>
internal static class FixtureTensors
{
    /// <summary>Reads every tensor of a safetensors file with the library's reader (CPU tensors, caller disposes).</summary>
    public static Dictionary<string, Tensor> Read(string path) => new(SafeTensors.Load(path));

    /// <summary>Copies tensors into the module's parameters by name; every parameter must be present with its shape and vice versa.</summary>
    public static void LoadStrict(nn.Module module, IReadOnlyDictionary<string, Tensor> weights)
    {
        var parameters = module.named_parameters().ToDictionary(p => p.name, p => p.parameter);
        var missing = parameters.Keys.Except(weights.Keys).ToList();
        var unexpected = weights.Keys.Except(parameters.Keys).ToList();
        Assert.True(missing.Count == 0 && unexpected.Count == 0,
            $"State-dict mismatch. Missing: [{string.Join(", ", missing)}]. Unexpected: [{string.Join(", ", unexpected)}].");
        using var _ = no_grad();
        foreach (var (name, p) in parameters)
        {
            var w = weights[name];
            Assert.True(p.shape.SequenceEqual(w.shape),
                $"{name}: model shape [{string.Join(", ", p.shape)}], file shape [{string.Join(", ", w.shape)}].");
            p.copy_(w);
        }
    }

    /// <summary>Max |a − b| as double.</summary>
    public static double MaxAbsDiff(Tensor actual, Tensor expected)
    {
        using var scope = NewDisposeScope();
        Assert.True(actual.shape.SequenceEqual(expected.shape),
            $"Shape [{string.Join(", ", actual.shape)}] differs from the reference [{string.Join(", ", expected.shape)}].");
        return actual.to_type(ScalarType.Float64).sub(expected.to_type(ScalarType.Float64)).abs().max().item<double>();
    }

    /// <summary>Max |t| as double.</summary>
    public static double MaxAbs(Tensor t)
    {
        using var scope = NewDisposeScope();
        return t.to_type(ScalarType.Float64).abs().max().item<double>();
    }

    /// <summary>Asserts max |actual − expected| ≤ relative · max(1, max |expected|).</summary>
    public static double AssertClose(string name, Tensor actual, Tensor expected, double relative)
    {
        var diff = MaxAbsDiff(actual, expected);
        var bound = relative * Math.Max(1.0, MaxAbs(expected));
        Assert.True(diff <= bound, $"{name}: max |ours − ref| = {diff:E3} exceeds {bound:E3}.");
        return diff;
    }
}
