using Hermes.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hermes.Backbones.Blocks;

/// <summary>A bias-free depthwise k³ convolution followed by a bias-free pointwise 1³ convolution. Names: <c>depthwise</c>, <c>pointwise</c>.</summary>
public sealed class DepthwiseSeparableConv : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006, SA1300 // field names are state-dict keys
    private readonly Conv3d depthwise;
    private readonly Conv3d pointwise;
#pragma warning restore IDE1006, SA1300

    /// <summary>Creates the convolution pair.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="kernelSize">Depthwise kernel size (3).</param>
    public DepthwiseSeparableConv(int inChannels, int outChannels, int kernelSize = 3)
        : base(nameof(DepthwiseSeparableConv))
    {
        HermesRuntime.EnsureInitialized();
        depthwise = nn.Conv3d(inChannels, inChannels, kernelSize, padding: kernelSize / 2, groups: inChannels, bias: false);
        pointwise = nn.Conv3d(inChannels, outChannels, 1, bias: false);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var d = depthwise.forward(input);
        return pointwise.forward(d);
    }
}
