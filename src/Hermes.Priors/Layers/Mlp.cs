using Hermes.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hermes.Priors.Layers;

/// <summary>Two-layer perceptron: Linear(in→hidden) → GELU (exact erf form) → Linear(hidden→out), both with bias.</summary>
/// <remarks>State-dict names: <c>fc1</c>, <c>fc2</c>. Dropout is 0 in every Hermes configuration and is omitted.</remarks>
public sealed class Mlp : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006, SA1300 // field names are state-dict keys
    private readonly Linear fc1;
    private readonly Linear fc2;
#pragma warning restore IDE1006, SA1300

    /// <summary>Creates the perceptron with PyTorch's default initialisation.</summary>
    /// <param name="inFeatures">Input width.</param>
    /// <param name="hiddenFeatures">Hidden width.</param>
    /// <param name="outFeatures">Output width.</param>
    public Mlp(int inFeatures, int hiddenFeatures, int outFeatures)
        : base(nameof(Mlp))
    {
        HermesRuntime.EnsureInitialized();
        ArgumentOutOfRangeException.ThrowIfLessThan(inFeatures, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(hiddenFeatures, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outFeatures, 1);
        fc1 = nn.Linear(inFeatures, hiddenFeatures);
        fc2 = nn.Linear(hiddenFeatures, outFeatures);
        RegisterComponents();
    }

    /// <summary>The first Linear layer.</summary>
    public Linear Fc1 => fc1;

    /// <summary>The second Linear layer.</summary>
    public Linear Fc2 => fc2;

    /// <summary>Applies the perceptron over the last axis.</summary>
    /// <param name="input">Tokens <c>[…, in]</c>.</param>
    public override Tensor forward(Tensor input)
    {
        using var hidden = fc1.forward(input);
        using var act = nn.functional.gelu(hidden);
        return fc2.forward(act);
    }

    /// <summary>Re-initialises both Linear layers with Xavier-uniform weights and zero biases.</summary>
    public void ResetXavier()
    {
        using var _ = no_grad();
        nn.init.xavier_uniform_(fc1.weight!);
        nn.init.zeros_(fc1.bias!);
        nn.init.xavier_uniform_(fc2.weight!);
        nn.init.zeros_(fc2.bias!);
    }
}
