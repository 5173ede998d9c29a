using Hermes.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hermes.Priors.Layers;

/// <summary>
/// <c>fn(LN_a(x1), LN_b(x2))</c> with two independent affine LayerNorms (eps 1e-5). State-dict names: <c>norm1</c>,
/// <c>norm2</c>, <c>fn</c>.
/// </summary>
public sealed class DualPreNorm : nn.Module<Tensor, Tensor, Tensor>
{
#pragma warning disable IDE1006, SA1300 // field names are state-dict keys
    private readonly LayerNorm norm1;
    private readonly LayerNorm norm2;
    private readonly nn.Module<Tensor, Tensor, Tensor> fn;
#pragma warning restore IDE1006, SA1300

    /// <summary>Wraps a two-input module behind two LayerNorms.</summary>
    /// <param name="dim">Token width of both inputs.</param>
    /// <param name="function">The wrapped module (for example <see cref="CrossAttention"/>).</param>
    /// <param name="eps">LayerNorm eps (1e-5 in Hermes).</param>
    public DualPreNorm(int dim, nn.Module<Tensor, Tensor, Tensor> function, double eps = 1e-5)
        : base(nameof(DualPreNorm))
    {
        HermesRuntime.EnsureInitialized();
        ArgumentNullException.ThrowIfNull(function);
        norm1 = nn.LayerNorm([dim], eps);
        norm2 = nn.LayerNorm([dim], eps);
        fn = function;
        RegisterComponents();
    }

    /// <summary>Normalises each input with its own LayerNorm and applies the wrapped module.</summary>
    /// <param name="x1">First input (normalised by <c>norm1</c>).</param>
    /// <param name="x2">Second input (normalised by <c>norm2</c>).</param>
    public override Tensor forward(Tensor x1, Tensor x2)
    {
        using var a = norm1.forward(x1);
        using var b = norm2.forward(x2);
        return fn.forward(a, b);
    }
}
