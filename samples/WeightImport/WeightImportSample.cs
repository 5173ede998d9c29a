using Hermes.Backbones;
using Hermes.Checkpoints;
using Hermes.Runtime;
using static TorchSharp.torch;

namespace Hermes.Samples.WeightImport;

/// <summary>Builds the model a reference config describes, loads PyTorch (or safetensors) weights by name, and predicts a phantom.</summary>
public static class WeightImportSample
{
    public sealed record Result(int Loaded, long[] Shape, long[] Foreground);

    public static Result Run(string configPath, string weightsPath, string? entry = null)
    {
        HermesRuntime.EnsureInitialized();
        using var model = HermesModelFactory.FromConfigFile(configPath);
        var state = WeightFile.Load(weightsPath, entry);
        try
        {
            StateDictLoader.Load(model, state); // strict: every name and shape must match
        }
        finally
        {
            foreach (var t in state.Values)
            {
                t.Dispose();
            }
        }

        model.eval();
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        // A 32³ phantom: a bright sphere in noise; ask for tasks 0 and 1 with modality 0.
        var axis = arange(32, ScalarType.Float32).sub(15.5f);
        var r2 = axis.view(32, 1, 1).square().add(axis.view(1, 32, 1).square()).add(axis.view(1, 1, 32).square());
        var image = r2.lt(64).to(ScalarType.Float32).add(randn(32, 32, 32).mul(0.2)).view(1, 1, 32, 32, 32);
        using var output = model.forward(image, tensor(new long[] { 0, 1 }, [1, 2]), tensor(new long[] { 0 }, [1, 1]));
        var foreground = output.Logits.gt(0).sum([0, 2, 3, 4]).data<long>().ToArray();
        return new Result(state.Count, output.Logits.shape, foreground);
    }
}
