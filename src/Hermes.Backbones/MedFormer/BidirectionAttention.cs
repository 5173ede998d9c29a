using Hermes.Backbones.Blocks;
using Hermes.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hermes.Backbones;

/// <summary>
/// MedFormer's bidirectional feature ⇄ map-token attention with one shared logit tensor
/// <c>A = q_feat·q_mapᵀ·dh^-0.5</c>: features read the tokens (softmax over tokens), tokens read the features (softmax
/// over voxels). Heads split dim-head-major (<c>c = j·H + h</c>).
/// </summary>
/// <remarks>Names: <c>feat_qv</c>, <c>feat_out</c> (depthwise-separable 3³), <c>map_qv</c>, <c>map_out</c> (Linear, no bias; absent when the map output is the identity).</remarks>
public sealed class BidirectionAttention : nn.Module<Tensor, Tensor, (Tensor Features, Tensor Map)>
{
#pragma warning disable IDE1006, SA1300 // field names are state-dict keys
    private readonly DepthwiseSeparableConv feat_qv;
    private readonly DepthwiseSeparableConv feat_out;
    private readonly Linear map_qv;
    private readonly Linear? map_out;
#pragma warning restore IDE1006, SA1300
    private readonly int heads;
    private readonly int dimHead;

    /// <summary>Creates the attention.</summary>
    /// <param name="featureChannels">Input feature channels.</param>
    /// <param name="outChannels">Output feature channels.</param>
    /// <param name="mapDim">Map-token width.</param>
    /// <param name="heads">Heads H.</param>
    /// <param name="dimHead">Width per head dh.</param>
    /// <param name="projectMap">Whether the map update passes through <c>map_out</c> (false: identity; needs H·dh = mapDim).</param>
    public BidirectionAttention(int featureChannels, int outChannels, int mapDim, int heads, int dimHead, bool projectMap = true)
        : base(nameof(BidirectionAttention))
    {
        HermesRuntime.EnsureInitialized();
        var inner = heads * dimHead;
        if (!projectMap && inner != mapDim)
        {
            throw new ArgumentException($"An identity map projection needs heads·dimHead = mapDim; got {inner} ≠ {mapDim}.");
        }

        this.heads = heads;
        this.dimHead = dimHead;
        feat_qv = new DepthwiseSeparableConv(featureChannels, 2 * inner);
        feat_out = new DepthwiseSeparableConv(inner, outChannels);
        map_qv = nn.Linear(mapDim, 2 * inner, hasBias: false);
        map_out = projectMap ? nn.Linear(inner, mapDim, hasBias: false) : null;
        RegisterComponents();
    }

    /// <summary>Exchanges information between normalised features and normalised map tokens.</summary>
    /// <param name="features">Normalised features <c>[B, C, D, H, W]</c>.</param>
    /// <param name="map">Normalised map tokens <c>[B, M, mapDim]</c>.</param>
    /// <returns>Feature update <c>[B, out, D, H, W]</c> and map update <c>[B, M, mapDim]</c>.</returns>
    public override (Tensor Features, Tensor Map) forward(Tensor features, Tensor map)
    {
        using var scope = NewDisposeScope();
        var s = features.shape;
        var b = s[0];
        var n = s[2] * s[3] * s[4];
        var m = map.shape[1];
        var inner = heads * dimHead;

        // Feature q/v: channel c = j·H + h → [B, H, N, dh].
        var fqv = feat_qv.forward(features).view(b, 2, dimHead, heads, n);
        var qf = fqv[.., 0].permute(0, 2, 3, 1);
        var vf = fqv[.., 1].permute(0, 2, 3, 1);

        // Map q/v: [B, M, 2·inner] → [B, H, M, dh].
        var mqv = map_qv.forward(map).view(b, m, 2, dimHead, heads);
        var qm = mqv[.., .., 0].permute(0, 3, 1, 2);
        var vm = mqv[.., .., 1].permute(0, 3, 1, 2);

        var logits = matmul(qf, qm.transpose(-1, -2)).mul_(1.0 / Math.Sqrt(dimHead));

        var featOut = matmul(logits.softmax(-1), vm); // [B, H, N, dh]
        // contiguous(): with one head the reshape is a channels-last view, and LibTorch's float32 depthwise conv3d
        // backward on channels-last input returns wrong input gradients on this CPU (found by the Hermes-M parity test).
        var featVolume = featOut.permute(0, 3, 1, 2).reshape(b, inner, s[2], s[3], s[4]).contiguous();
        var featUpdate = feat_out.forward(featVolume);

        var mapOut = matmul(logits.softmax(-2).transpose(-1, -2), vf); // [B, H, M, dh]
        var mapTokens = mapOut.permute(0, 2, 3, 1).reshape(b, m, inner);
        var mapUpdate = map_out is null ? mapTokens : map_out.forward(mapTokens);
        scope.MoveToOuter(featUpdate, mapUpdate);
        return (featUpdate, mapUpdate);
    }
}
