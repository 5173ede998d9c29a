using Hermes.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hermes.Priors.Layers;

/// <summary>
/// Multi-head cross-attention: queries from <c>x1</c>, keys and values from <c>x2</c>, head-major channel split
/// (<c>c = h·dh + j</c>), softmax of <c>q·kᵀ·dh^-0.5</c> over keys, output Linear with bias. No dropout, mask or bias.
/// </summary>
/// <remarks>State-dict names: <c>to_q</c> (no bias), <c>to_kv</c> (no bias; k first, then v), <c>to_out</c>.</remarks>
public sealed class CrossAttention : nn.Module<Tensor, Tensor, Tensor>
{
#pragma warning disable IDE1006, SA1300 // field names are state-dict keys
    private readonly Linear to_q;
    private readonly Linear to_kv;
    private readonly Linear to_out;
#pragma warning restore IDE1006, SA1300
    private readonly int heads;
    private readonly int dimHead;

    /// <summary>Creates the attention with PyTorch's default initialisation.</summary>
    /// <param name="dim">Token width of both sequences.</param>
    /// <param name="heads">Number of heads H.</param>
    /// <param name="dimHead">Width per head dh; the inner width is H·dh.</param>
    public CrossAttention(int dim, int heads, int dimHead)
        : base(nameof(CrossAttention))
    {
        HermesRuntime.EnsureInitialized();
        ArgumentOutOfRangeException.ThrowIfLessThan(dim, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(heads, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimHead, 1);
        this.heads = heads;
        this.dimHead = dimHead;
        var inner = heads * dimHead;
        to_q = nn.Linear(dim, inner, hasBias: false);
        to_kv = nn.Linear(dim, 2 * inner, hasBias: false);
        to_out = nn.Linear(inner, dim);
        RegisterComponents();
    }

    /// <summary>Attends from <paramref name="x1"/> to <paramref name="x2"/>.</summary>
    /// <param name="x1">Queries <c>[B, Lq, dim]</c>.</param>
    /// <param name="x2">Keys/values <c>[B, Lk, dim]</c>.</param>
    /// <returns><c>[B, Lq, dim]</c>.</returns>
    public override Tensor forward(Tensor x1, Tensor x2)
    {
        using var scope = NewDisposeScope();
        var b = x1.shape[0];
        var lq = x1.shape[1];
        var lk = x2.shape[1];
        var q = to_q.forward(x1).view(b, lq, heads, dimHead).transpose(1, 2);
        var kv = to_kv.forward(x2).view(b, lk, 2, heads, dimHead).permute(2, 0, 3, 1, 4);
        var attended = nn.functional.scaled_dot_product_attention(q, kv[0], kv[1]);
        var merged = attended.transpose(1, 2).reshape(b, lq, heads * dimHead);
        return to_out.forward(merged).MoveToOuterDisposeScope();
    }
}
