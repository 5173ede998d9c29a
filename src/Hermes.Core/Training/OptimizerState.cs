using static TorchSharp.torch;

namespace Hermes.Training;

/// <summary>Checks of optimiser state entries on load.</summary>
internal static class OptimizerState
{
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
