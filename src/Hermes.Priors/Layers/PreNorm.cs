using Hermes.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hermes.Priors.Layers;

/// <summary><c>fn(LayerNorm(x))</c> with no residual inside (callers add it). State-dict names: <c>norm</c>, <c>fn</c>.</summary>
public sealed class PreNorm : nn.Module<Tensor, Tensor>
{
    /// <summary>LayerNorm eps used by Hermes' PreNorm (1e-4).</summary>
    public const double DefaultEps = 1e-4;

#pragma warning disable IDE1006, SA1300 // field names are state-dict keys
    private readonly LayerNorm norm;
    private readonly nn.Module<Tensor, Tensor> fn;
#pragma warning restore IDE1006, SA1300

    /// <summary>Wraps <paramref name="function"/> behind an affine LayerNorm.</summary>
    /// <param name="dim">Token width.</param>
    /// <param name="function">The wrapped module.</param>
    /// <param name="eps">LayerNorm eps (1e-4 in Hermes).</param>
    public PreNorm(int dim, nn.Module<Tensor, Tensor> function, double eps = DefaultEps)
        : base(nameof(PreNorm))
    {
        HermesRuntime.EnsureInitialized();
        ArgumentNullException.ThrowIfNull(function);
        norm = nn.LayerNorm([dim], eps);
        fn = function;
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var normed = norm.forward(input);
        return fn.forward(normed);
    }
}
