using Hermes.Backbones.Blocks;
using Hermes.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hermes.Backbones;

/// <summary>ResUNet's first stage: a plain bias-free 3³ convolution, then a <see cref="BasicBlock"/>. Names: <c>conv1</c>, <c>conv2</c>.</summary>
public sealed class ResUNetInputBlock : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006, SA1300 // field names are state-dict keys
    private readonly Conv3d conv1;
    private readonly BasicBlock conv2;
#pragma warning restore IDE1006, SA1300

    /// <summary>Creates the stage.</summary>
    /// <param name="inChannels">Image channels.</param>
    /// <param name="outChannels">Output width C.</param>
    public ResUNetInputBlock(int inChannels, int outChannels)
        : base(nameof(ResUNetInputBlock))
    {
        HermesRuntime.EnsureInitialized();
        conv1 = nn.Conv3d(inChannels, outChannels, 3, padding: 1, bias: false);
        conv2 = new BasicBlock(outChannels, outChannels);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var x = conv1.forward(input);
        return conv2.forward(x);
    }
}
