using Hermes.Backbones.Blocks;
using Hermes.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hermes.Backbones;

/// <summary>
/// One MedFormer transformer block: InstanceNorm (eps 1e-5) on features and LayerNorm (eps 1e-5) on map tokens,
/// <see cref="BidirectionAttention"/>, feature shortcut (identity or 1³ pre-activation conv), <see cref="MBConv"/>
/// feed-forward, and the map residual. Names: <c>norm2</c>, <c>attn</c>, <c>shortcut</c>, <c>feedforward</c>.
/// </summary>
public sealed class BidirectionAttentionBlock : nn.Module<Tensor, Tensor, (Tensor Features, Tensor Map)>
{
#pragma warning disable IDE1006, SA1300 // field names are state-dict keys
    private readonly LayerNorm norm2;
    private readonly BidirectionAttention attn;
    private readonly ConvNormAct? shortcut;
    private readonly MBConv feedforward;
#pragma warning restore IDE1006, SA1300

    /// <summary>Creates the block.</summary>
    /// <param name="featureChannels">Input feature channels.</param>
    /// <param name="outChannels">Output feature channels.</param>
    /// <param name="mapDim">Map-token width.</param>
    /// <param name="heads">Heads.</param>
    /// <param name="dimHead">Width per head.</param>
    /// <param name="expansion">MBConv expansion (4).</param>
    /// <param name="projectMap">Whether the map update is projected (false only in up2's last block).</param>
    public BidirectionAttentionBlock(int featureChannels, int outChannels, int mapDim, int heads, int dimHead, int expansion = 4,
        bool projectMap = true)
        : base(nameof(BidirectionAttentionBlock))
    {
        HermesRuntime.EnsureInitialized();
        norm2 = nn.LayerNorm([mapDim], 1e-5);
        attn = new BidirectionAttention(featureChannels, outChannels, mapDim, heads, dimHead, projectMap);
        shortcut = featureChannels != outChannels ? new ConvNormAct(featureChannels, outChannels, 1) : null;
        feedforward = new MBConv(outChannels, expansion);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override (Tensor Features, Tensor Map) forward(Tensor features, Tensor map)
    {
        using var scope = NewDisposeScope();
        var normedFeatures = InstanceNormalization.Normalize(features, 1e-5);
        var normedMap = norm2.forward(map);
        var (featUpdate, mapUpdate) = attn.forward(normedFeatures, normedMap);
        var f = featUpdate.add_(shortcut is null ? features : shortcut.forward(features));
        f = feedforward.forward(f);
        var m = mapUpdate.add(map);
        scope.MoveToOuter(f, m);
        return (f, m);
    }
}
