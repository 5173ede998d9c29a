using Hermes.Priors.Layers;
using Hermes.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Priors.Fusion;

/// <summary>
/// Bidirectional prior-attention block (Hermes-R): priors read the image, prior MLP, image reads the updated priors,
/// feature MLP — four residual updates in that order.
/// </summary>
/// <remarks>State-dict names: <c>prior_aggregate_block</c>, <c>prior_ffn</c>, <c>feat_aggregate_block</c>, <c>feat_ffn</c>.</remarks>
public sealed class PriorAttentionBlock : nn.Module<Tensor, Tensor, (Tensor Features, Tensor Priors)>
{
#pragma warning disable IDE1006, SA1300 // field names are state-dict keys
    private readonly DualPreNorm prior_aggregate_block;
    private readonly PreNorm prior_ffn;
    private readonly DualPreNorm feat_aggregate_block;
    private readonly PreNorm feat_ffn;
#pragma warning restore IDE1006, SA1300

    /// <summary>Creates the block.</summary>
    /// <param name="dim">Token width of features and priors.</param>
    /// <param name="heads">Attention heads (dim / 32 in Hermes).</param>
    /// <param name="dimHead">Width per head (32 in Hermes).</param>
    /// <param name="mlpRatio">MLP hidden width as a multiple of <paramref name="dim"/> (4).</param>
    public PriorAttentionBlock(int dim, int heads, int dimHead = 32, int mlpRatio = 4)
        : base(nameof(PriorAttentionBlock))
    {
        HermesRuntime.EnsureInitialized();
        prior_aggregate_block = new DualPreNorm(dim, new CrossAttention(dim, heads, dimHead));
        prior_ffn = new PreNorm(dim, new Mlp(dim, dim * mlpRatio, dim));
        feat_aggregate_block = new DualPreNorm(dim, new CrossAttention(dim, heads, dimHead));
        feat_ffn = new PreNorm(dim, new Mlp(dim, dim * mlpRatio, dim));
        RegisterComponents();
    }

    /// <summary>Updates feature tokens and prior tokens.</summary>
    /// <param name="features">Feature tokens <c>[B, N, dim]</c>.</param>
    /// <param name="priors">Prior tokens <c>[B, T + l, dim]</c>.</param>
    public override (Tensor Features, Tensor Priors) forward(Tensor features, Tensor priors)
    {
        using var scope = NewDisposeScope();
        var p = prior_aggregate_block.forward(priors, features).add_(priors);
        p = prior_ffn.forward(p).add_(p);
        var f = feat_aggregate_block.forward(features, p).add_(features);
        f = feat_ffn.forward(f).add_(f);
        scope.MoveToOuter(f, p);
        return (f, p);
    }
}
