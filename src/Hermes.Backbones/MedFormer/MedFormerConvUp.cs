using Hermes.Abstractions;
using Hermes.Backbones.Blocks;
using Hermes.Priors.Fusion;
using Hermes.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hermes.Backbones;

/// <summary>A MedFormer decoder stage of convolutions: upsample, concatenate <c>[upsampled, skip]</c>, BasicBlocks. Name: <c>conv_blocks</c>.</summary>
public sealed class MedFormerConvUp : nn.Module<Tensor, Tensor, Tensor>
{
#pragma warning disable IDE1006, SA1300 // field names are state-dict keys
    private readonly ModuleList<BasicBlock> conv_blocks;
#pragma warning restore IDE1006, SA1300

    /// <summary>Creates the stage.</summary>
    /// <param name="inChannels">Channels of the concatenation.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="blocks">BasicBlocks.</param>
    public MedFormerConvUp(int inChannels, int outChannels, int blocks)
        : base(nameof(MedFormerConvUp))
    {
        HermesRuntime.EnsureInitialized();
        ArgumentOutOfRangeException.ThrowIfLessThan(blocks, 1);
        conv_blocks = new ModuleList<BasicBlock>(Enumerable.Range(0, blocks)
            .Select(i => new BasicBlock(i == 0 ? inChannels : outChannels, outChannels)).ToArray());
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor coarse, Tensor skip)
    {
        using var scope = NewDisposeScope();
        var x = cat([Upsampling.ToSize(coarse, skip.shape[2..]), skip], 1);
        foreach (var block in conv_blocks)
        {
            x = block.forward(x);
        }

        return x.MoveToOuterDisposeScope();
    }
}
