using Hermes.Backbones.Blocks;
using Hermes.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Backbones;

/// <summary>
/// MedFormer downsampling: space-to-depth by 2³ (sub-grids stacked d-offset outer, then h, then w), InstanceNorm
/// (eps 1e-5, no affine), then a depthwise-separable 3³ reduction to the output width. Name: <c>reduction</c>.
/// </summary>
public sealed class PatchMerging : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006, SA1300 // field names are state-dict keys
    private readonly DepthwiseSeparableConv reduction;
#pragma warning restore IDE1006, SA1300

    /// <summary>Creates the layer.</summary>
    /// <param name="inChannels">Input channels (the merged map has 8× as many).</param>
    /// <param name="outChannels">Output channels.</param>
    public PatchMerging(int inChannels, int outChannels)
        : base(nameof(PatchMerging))
    {
        HermesRuntime.EnsureInitialized();
        reduction = new DepthwiseSeparableConv(8 * inChannels, outChannels);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var s = input.shape;
        var (b, c, d, h, w) = (s[0], s[1], s[2] / 2, s[3] / 2, s[4] / 2);
        var merged = input.view(b, c, d, 2, h, 2, w, 2).permute(0, 3, 5, 7, 1, 2, 4, 6).reshape(b, 8 * c, d, h, w);
        var normed = InstanceNormalization.Normalize(merged, 1e-5);
        return reduction.forward(normed).MoveToOuterDisposeScope();
    }
}
