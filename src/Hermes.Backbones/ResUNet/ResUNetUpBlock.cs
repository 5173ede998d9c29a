using Hermes.Backbones.Blocks;
using Hermes.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hermes.Backbones;

/// <summary>
/// ResUNet decoder stage: trilinear (align_corners) upsampling of the coarse map to the skip's exact size,
/// concatenation <c>[skip, upsampled]</c> (skip first) and <c>blocks</c> BasicBlocks. Names: <c>conv.0</c> …
/// </summary>
public sealed class ResUNetUpBlock : nn.Module<Tensor, Tensor, Tensor>
{
#pragma warning disable IDE1006, SA1300 // field names are state-dict keys
    private readonly Sequential conv;
#pragma warning restore IDE1006, SA1300

    /// <summary>Creates the stage.</summary>
    /// <param name="inChannels">Channels of the concatenation (skip + upsampled).</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="blocks">Number of BasicBlocks.</param>
    public ResUNetUpBlock(int inChannels, int outChannels, int blocks)
        : base(nameof(ResUNetUpBlock))
    {
        HermesRuntime.EnsureInitialized();
        ArgumentOutOfRangeException.ThrowIfLessThan(blocks, 1);
        var layers = new List<(string, nn.Module<Tensor, Tensor>)>();
        for (var i = 0; i < blocks; i++)
        {
            layers.Add((i.ToString(System.Globalization.CultureInfo.InvariantCulture),
                new BasicBlock(i == 0 ? inChannels : outChannels, outChannels)));
        }

        conv = nn.Sequential(layers);
        RegisterComponents();
    }

    /// <summary>Upsamples <paramref name="coarse"/> to <paramref name="skip"/>'s size, concatenates and convolves.</summary>
    /// <param name="coarse">The coarser feature map.</param>
    /// <param name="skip">The skip feature map (its size is the output size).</param>
    public override Tensor forward(Tensor coarse, Tensor skip)
    {
        using var up = Upsampling.ToSize(coarse, skip.shape[2..]);
        using var joined = cat([skip, up], 1);
        return conv.forward(joined);
    }
}
