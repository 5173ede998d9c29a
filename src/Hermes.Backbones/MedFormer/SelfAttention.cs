using Hermes.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hermes.Backbones;

/// <summary>
/// Multi-head self-attention: one Linear (dim→3·inner, no bias) split into q, k, v, head-major channel split,
/// softmax(q·kᵀ·dh^-0.5)·v, output Linear with bias. Names: <c>to_qkv</c>, <c>to_out</c>.
/// </summary>
public sealed class SelfAttention : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006, SA1300 // field names are state-dict keys
    private readonly Linear to_qkv;
    private readonly Linear to_out;
#pragma warning restore IDE1006, SA1300
    private readonly int heads;
    private readonly int dimHead;

    /// <summary>Creates the attention.</summary>
    /// <param name="dim">Token width.</param>
    /// <param name="heads">Heads.</param>
    /// <param name="dimHead">Width per head.</param>
    public SelfAttention(int dim, int heads, int dimHead)
        : base(nameof(SelfAttention))
    {
        HermesRuntime.EnsureInitialized();
        this.heads = heads;
        this.dimHead = dimHead;
        to_qkv = nn.Linear(dim, 3 * heads * dimHead, hasBias: false);
        to_out = nn.Linear(heads * dimHead, dim);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var b = input.shape[0];
        var l = input.shape[1];
        var qkv = to_qkv.forward(input).view(b, l, 3, heads, dimHead).permute(2, 0, 3, 1, 4);
        var attended = nn.functional.scaled_dot_product_attention(qkv[0], qkv[1], qkv[2]);
        return to_out.forward(attended.transpose(1, 2).reshape(b, l, heads * dimHead)).MoveToOuterDisposeScope();
    }
}
