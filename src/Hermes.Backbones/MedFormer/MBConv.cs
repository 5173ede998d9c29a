using Hermes.Backbones.Blocks;
using Hermes.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Backbones;

/// <summary>
/// Inverted-residual feed-forward of MedFormer: 1³ expand (IN → ReLU → conv), depthwise 3³ (IN → ReLU → dwconv),
/// squeeze-and-excitation, 1³ project (IN → conv), plus the input. Names: <c>expand_proj</c>, <c>depthwise</c>,
/// <c>se</c>, <c>pointwise</c>.
/// </summary>
public sealed class MBConv : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006, SA1300 // field names are state-dict keys
    private readonly ConvNormAct expand_proj;
    private readonly ConvNormAct depthwise;
    private readonly SqueezeExcitation se;
    private readonly ConvNormAct pointwise;
#pragma warning restore IDE1006, SA1300

    /// <summary>Creates the block.</summary>
    /// <param name="channels">Input and output channels.</param>
    /// <param name="expansion">Expansion ratio (4).</param>
    public MBConv(int channels, int expansion = 4)
        : base(nameof(MBConv))
    {
        HermesRuntime.EnsureInitialized();
        var hidden = channels * expansion;
        expand_proj = new ConvNormAct(channels, hidden, 1);
        depthwise = new ConvNormAct(hidden, hidden, 3, groups: hidden);
        se = new SqueezeExcitation(hidden, channels);
        pointwise = new ConvNormAct(hidden, channels, 1, activate: false);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = expand_proj.forward(input);
        x = depthwise.forward(x);
        x = se.forward(x);
        x = pointwise.forward(x);
        return x.add_(input).MoveToOuterDisposeScope();
    }
}
