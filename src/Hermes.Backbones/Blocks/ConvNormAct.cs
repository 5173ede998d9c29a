using Hermes.Operations;
using Hermes.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hermes.Backbones.Blocks;

/// <summary>
/// A bias-free 3D convolution with InstanceNorm (no affine, no running statistics, eps 1e-4) and ReLU, either
/// conv → norm → act or, pre-activated, norm(in) → act → conv. State-dict name: <c>conv</c>.
/// </summary>
public sealed class ConvNormAct : nn.Module<Tensor, Tensor>
{
    /// <summary>InstanceNorm eps used inside Hermes conv blocks.</summary>
    public const double NormEps = 1e-4;

#pragma warning disable IDE1006, SA1300 // field names are state-dict keys
    private readonly Conv3d conv;
#pragma warning restore IDE1006, SA1300
    private readonly bool preact;
    private readonly bool normalize;
    private readonly bool activate;
    private readonly long[] stride;
    private readonly long[] padding;
    private readonly int groups;

    /// <summary>Creates the block with PyTorch's default convolution initialisation.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="kernelSize">Cubic kernel size (padding = kernelSize / 2).</param>
    /// <param name="stride">Stride.</param>
    /// <param name="preact">Pre-activation order (norm → act → conv).</param>
    /// <param name="groups">Convolution groups (input channels for a depthwise convolution).</param>
    /// <param name="normalize">Whether to apply the InstanceNorm.</param>
    /// <param name="activate">Whether to apply the ReLU.</param>
    public ConvNormAct(int inChannels, int outChannels, int kernelSize = 3, int stride = 1, bool preact = true, int groups = 1,
        bool normalize = true, bool activate = true)
        : base(nameof(ConvNormAct))
    {
        HermesRuntime.EnsureInitialized();
        ArgumentOutOfRangeException.ThrowIfLessThan(inChannels, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(outChannels, 1);
        conv = nn.Conv3d(inChannels, outChannels, kernelSize, stride: stride, padding: kernelSize / 2, groups: groups, bias: false);
        this.preact = preact;
        this.normalize = normalize;
        this.activate = activate;
        this.stride = [stride, stride, stride];
        padding = [kernelSize / 2, kernelSize / 2, kernelSize / 2];
        this.groups = groups;
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        if (preact)
        {
            if (!normalize && !activate)
            {
                return Convolve(input, conv.weight!);
            }

            using var pre = NormAct(input);
            return Convolve(pre, conv.weight!);
        }

        var y = Convolve(input, conv.weight!);
        if (!normalize && !activate)
        {
            return y;
        }

        using (y)
        {
            return NormAct(y);
        }
    }

    /// <summary>The convolution's weight <c>[out, in / groups, k, k, k]</c>.</summary>
    internal Tensor Weight => conv.weight!;

    /// <summary>Whether the block pre-activates (norm → act → conv).</summary>
    internal bool IsPreActivated => preact;

    /// <summary>The pre-activation alone: what <see cref="forward"/> feeds the convolution in pre-activated order.</summary>
    /// <param name="input">The block's input.</param>
    internal Tensor PreActivate(Tensor input) => !normalize && !activate ? input.alias() : NormAct(input);

    /// <summary>
    /// This block's convolution (stride, padding, groups) applied with <paramref name="weight"/>; in training, dense stride-1
    /// convolutions run as <see cref="TrainingConvolution"/> where it applies (Winograd forward and input gradient, Winograd or
    /// GEMM weight gradient), and in inference dense 3³ ones may run as <see cref="WinogradConvolution"/>.
    /// </summary>
    /// <param name="input">The (pre-activated) input.</param>
    /// <param name="weight">A weight with this block's kernel and input channels; any number of output channels.</param>
    internal Tensor Convolve(Tensor input, Tensor weight)
    {
        if (TrainingConvolution.Applies(input, weight, stride[0], padding[0], groups))
        {
            return TrainingConvolution.Convolve(input, weight);
        }

        return WinogradConvolution.Applies(input, weight, stride[0], padding[0], groups)
            ? WinogradConvolution.Convolve(input, weight)
            : nn.functional.conv3d(input, weight, strides: stride, padding: padding, groups: groups);
    }

    private Tensor NormAct(Tensor x)
    {
        if (!normalize)
        {
            return nn.functional.relu(x);
        }

        var n = InstanceNormalization.Normalize(x, NormEps);
        return activate ? n.relu_() : n;
    }
}
