using Hermes.Abstractions;
using Hermes.Backbones.Blocks;
using Hermes.Priors.Fusion;
using Hermes.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hermes.Backbones;

/// <summary>A MedFormer encoder stage of convolutions: <see cref="PatchMerging"/> then BasicBlocks. Names: <c>patch_merging</c>, <c>conv_blocks</c>.</summary>
public sealed class MedFormerConvDown : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006, SA1300 // field names are state-dict keys
    private readonly PatchMerging patch_merging;
    private readonly ModuleList<BasicBlock> conv_blocks;
#pragma warning restore IDE1006, SA1300

    /// <summary>Creates the stage.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels.</param>
    /// <param name="blocks">BasicBlocks after the merging.</param>
    public MedFormerConvDown(int inChannels, int outChannels, int blocks)
        : base(nameof(MedFormerConvDown))
    {
        HermesRuntime.EnsureInitialized();
        patch_merging = new PatchMerging(inChannels, outChannels);
        conv_blocks = new ModuleList<BasicBlock>(Enumerable.Range(0, blocks).Select(_ => new BasicBlock(outChannels, outChannels)).ToArray());
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var x = patch_merging.forward(input);
        foreach (var block in conv_blocks)
        {
            x = block.forward(x);
        }

        return x.MoveToOuterDisposeScope();
    }
}
