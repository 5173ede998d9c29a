using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hermes.Training;

/// <summary>
/// The state plumbing the optimisers share: dropping gradients, writing and reading the Adam moments of a state dict
/// (<c>exp_avg.i</c>, <c>exp_avg_sq.i</c>), and checking entries on load.
/// </summary>
internal static class OptimizerState
{
    /// <summary>Drops (and disposes) the gradient of every parameter that has one.</summary>
    public static void ZeroGrad(IEnumerable<Parameter> parameters)
    {
        foreach (var p in parameters)
        {
            var g = p.grad;
            if (g is not null)
            {
                p.grad = null;
                g.Dispose();
            }
        }
    }

    /// <summary>Adds copies of parameter <paramref name="index"/>'s first and second moments to a state dict.</summary>
    public static void AddMoments(Dictionary<string, Tensor> state, int index, Tensor expAvg, Tensor expAvgSq)
    {
        state[$"exp_avg.{index}"] = expAvg.detach().clone();
        state[$"exp_avg_sq.{index}"] = expAvgSq.detach().clone();
    }

    /// <summary>Copies parameter <paramref name="index"/>'s moments from a state dict, checking their shapes.</summary>
    public static void LoadMoments(IReadOnlyDictionary<string, Tensor> state, int index, long[] shape, string optimizer, Tensor expAvg, Tensor expAvgSq)
    {
        using var noGrad = no_grad();
        expAvg.copy_(Require(state, $"exp_avg.{index}", shape, optimizer));
        expAvgSq.copy_(Require(state, $"exp_avg_sq.{index}", shape, optimizer));
    }

    public static Tensor Require(IReadOnlyDictionary<string, Tensor> state, string key, long[] shape, string optimizer)
    {
        if (!state.TryGetValue(key, out var t))
        {
            throw new InvalidDataException($"The {optimizer} optimiser state has no entry '{key}'.");
        }

        if (!t.shape.SequenceEqual(shape))
        {
            throw new InvalidDataException(
                $"The {optimizer} optimiser state entry '{key}' has shape [{string.Join(", ", t.shape)}]; the parameter has [{string.Join(", ", shape)}].");
        }

        return t;
    }
}
