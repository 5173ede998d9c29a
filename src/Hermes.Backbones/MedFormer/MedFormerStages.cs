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

/// <summary>
/// A MedFormer encoder stage with priors: <see cref="PatchMerging"/>, semantic-map generation, this stage's own prior
/// pool appended after the map tokens, and bidirectional attention blocks. Names: <c>map_gen</c>,
/// <c>prior_selection</c>, <c>patch_merging</c>, <c>trans_blocks</c>.
/// </summary>
public sealed class MedFormerAttentionDown : nn.Module<Tensor, PriorRequest?, (Tensor Features, Tensor Map, Tensor? Posterior)>
{
#pragma warning disable IDE1006, SA1300 // field names are state-dict keys
    private readonly SemanticMapGeneration map_gen;
    private readonly PriorPool? prior_selection;
    private readonly PatchMerging patch_merging;
    private readonly BidirectionAttentionStack trans_blocks;
#pragma warning restore IDE1006, SA1300

    /// <summary>Creates the stage.</summary>
    /// <param name="inChannels">Input channels.</param>
    /// <param name="outChannels">Output channels (= map and prior width).</param>
    /// <param name="depth">Attention blocks.</param>
    /// <param name="heads">Heads (width per head = outChannels / heads).</param>
    /// <param name="mapTokens">Map tokens M.</param>
    /// <param name="expansion">MBConv expansion.</param>
    /// <param name="taskCount">tn.</param>
    /// <param name="modalityCount">mn.</param>
    /// <param name="tokensPerModality">l.</param>
    /// <param name="usePriors">Whether the stage owns a prior pool (false: plain MedFormer, map tokens only).</param>
    public MedFormerAttentionDown(int inChannels, int outChannels, int depth, int heads, int mapTokens, int expansion, int taskCount,
        int modalityCount, int tokensPerModality, bool usePriors = true)
        : base(nameof(MedFormerAttentionDown))
    {
        HermesRuntime.EnsureInitialized();
        map_gen = new SemanticMapGeneration(outChannels, mapTokens);
        prior_selection = usePriors ? new PriorPool(outChannels, taskCount, modalityCount, tokensPerModality) : null;
        patch_merging = new PatchMerging(inChannels, outChannels);
        trans_blocks = new BidirectionAttentionStack(outChannels, outChannels, depth, heads, outChannels / heads, expansion);
        MapTokens = mapTokens;
        RegisterComponents();
    }

    /// <summary>Map tokens M.</summary>
    public int MapTokens { get; }

    /// <inheritdoc/>
    public override (Tensor Features, Tensor Map, Tensor? Posterior) forward(Tensor input, PriorRequest? request)
    {
        using var scope = NewDisposeScope();
        var x = patch_merging.forward(input);
        var tokens = PriorTokens.Append(map_gen.forward(x), prior_selection, request);
        (x, tokens) = trans_blocks.forward(x, tokens);
        var (map, posterior) = PriorTokens.Split(tokens, MapTokens);
        scope.MoveToOuter(x, map);
        if (posterior is not null)
        {
            scope.MoveToOuter(posterior);
        }

        return (x, map, posterior);
    }
}

/// <summary>
/// A MedFormer decoder stage with priors: upsample, concatenate <c>[upsampled, skip]</c>, map tokens = Linear over
/// <c>[coarse map ‖ skip map]</c> plus this stage's own priors, bidirectional attention blocks. Names:
/// <c>map_reduction</c>, <c>prior_selection</c>, <c>trans_blocks</c>.
/// </summary>
public sealed class MedFormerAttentionUp : nn.Module<(Tensor Coarse, Tensor Skip, Tensor CoarseMap, Tensor SkipMap), PriorRequest?, (Tensor Features, Tensor Map, Tensor? Posterior)>
{
#pragma warning disable IDE1006, SA1300 // field names are state-dict keys
    private readonly Linear map_reduction;
    private readonly PriorPool? prior_selection;
    private readonly BidirectionAttentionStack trans_blocks;
#pragma warning restore IDE1006, SA1300

    /// <summary>Creates the stage.</summary>
    /// <param name="coarseChannels">Channels (and map width) of the coarser input.</param>
    /// <param name="skipChannels">Channels (and map width) of the skip.</param>
    /// <param name="outChannels">Output channels (= map and prior width).</param>
    /// <param name="depth">Attention blocks.</param>
    /// <param name="heads">Heads (width per head = outChannels / heads).</param>
    /// <param name="expansion">MBConv expansion.</param>
    /// <param name="projectLastMap">Whether the last block projects its map update.</param>
    /// <param name="taskCount">tn.</param>
    /// <param name="modalityCount">mn.</param>
    /// <param name="tokensPerModality">l.</param>
    /// <param name="usePriors">Whether the stage owns a prior pool (false: plain MedFormer, map tokens only).</param>
    public MedFormerAttentionUp(int coarseChannels, int skipChannels, int outChannels, int depth, int heads, int expansion,
        bool projectLastMap, int taskCount, int modalityCount, int tokensPerModality, bool usePriors = true)
        : base(nameof(MedFormerAttentionUp))
    {
        HermesRuntime.EnsureInitialized();
        map_reduction = nn.Linear(coarseChannels + skipChannels, outChannels, hasBias: false);
        prior_selection = usePriors ? new PriorPool(outChannels, taskCount, modalityCount, tokensPerModality) : null;
        trans_blocks = new BidirectionAttentionStack(coarseChannels + skipChannels, outChannels, depth, heads, outChannels / heads,
            expansion, projectLastMap);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override (Tensor Features, Tensor Map, Tensor? Posterior) forward((Tensor Coarse, Tensor Skip, Tensor CoarseMap, Tensor SkipMap) input,
        PriorRequest? request)
    {
        using var scope = NewDisposeScope();
        var up = Upsampling.ToSize(input.Coarse, input.Skip.shape[2..]);
        var x = cat([up, input.Skip], 1);
        var mapTokens = (int)input.CoarseMap.shape[1];
        var map = map_reduction.forward(cat([input.CoarseMap, input.SkipMap], -1));
        var tokens = PriorTokens.Append(map, prior_selection, request);
        (x, tokens) = trans_blocks.forward(x, tokens);
        var (outMap, posterior) = PriorTokens.Split(tokens, mapTokens);
        scope.MoveToOuter(x, outMap);
        if (posterior is not null)
        {
            scope.MoveToOuter(posterior);
        }

        return (x, outMap, posterior);
    }
}

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
