using Hermes.Priors.Layers;
using Hermes.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hermes.Backbones;

/// <summary>
/// <c>depth</c> rounds of x ← PreNorm(SelfAttention)(x) + x, then x ← PreNorm(Mlp)(x) + x (PreNorm eps 1e-4).
/// Names: <c>layers.{i}.0</c>, <c>layers.{i}.1</c>.
/// </summary>
public sealed class TransformerBlock : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006, SA1300 // field names are state-dict keys
    private readonly ModuleList<ModuleList<PreNorm>> layers;
#pragma warning restore IDE1006, SA1300

    /// <summary>Creates the block.</summary>
    /// <param name="dim">Token width.</param>
    /// <param name="depth">Rounds.</param>
    /// <param name="heads">Heads.</param>
    /// <param name="dimHead">Width per head.</param>
    /// <param name="mlpDim">Hidden width of the MLP.</param>
    public TransformerBlock(int dim, int depth, int heads, int dimHead, int mlpDim)
        : base(nameof(TransformerBlock))
    {
        HermesRuntime.EnsureInitialized();
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        layers = new ModuleList<ModuleList<PreNorm>>(Enumerable.Range(0, depth).Select(_ => new ModuleList<PreNorm>(
            new PreNorm(dim, new SelfAttention(dim, heads, dimHead)),
            new PreNorm(dim, new Mlp(dim, mlpDim, dim)))).ToArray());
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = input;
        foreach (var round in layers)
        {
            x = round[0].forward(x).add_(x);
            x = round[1].forward(x).add_(x);
        }

        return x.MoveToOuterDisposeScope();
    }
}
