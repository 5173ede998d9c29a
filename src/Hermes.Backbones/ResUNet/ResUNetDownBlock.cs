using Hermes.Backbones.Blocks;
using Hermes.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hermes.Backbones;

/// <summary>
/// ResUNet encoder stage: 2³ max-pooling then <c>blocks</c> BasicBlocks. Names: <c>conv.0</c> (the pool, no
/// parameters), <c>conv.1</c> …
/// </summary>
public sealed class ResUNetDownBlock : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006, SA1300 // field names are state-dict keys
    private readonly Sequential conv;
#pragma warning restore IDE1006, SA1300

    /// <summary>Creates the stage.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="blocks">Number of BasicBlocks.</param>
    public ResUNetDownBlock(int inChannels, int outChannels, int blocks)
        : base(nameof(ResUNetDownBlock))
    {
        HermesRuntime.EnsureInitialized();
        ArgumentOutOfRangeException.ThrowIfLessThan(blocks, 1);
        var layers = new List<(string, nn.Module<Tensor, Tensor>)> { ("0", new HalvingMaxPool()) };
        for (var i = 0; i < blocks; i++)
        {
            layers.Add(((i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture),
                new BasicBlock(i == 0 ? inChannels : outChannels, outChannels)));
        }

        conv = nn.Sequential(layers);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input) => conv.forward(input);
}
