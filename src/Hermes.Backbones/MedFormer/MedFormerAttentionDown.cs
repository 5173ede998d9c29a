using Hermes.Abstractions;
using Hermes.Backbones.Blocks;
using Hermes.Priors.Fusion;
using Hermes.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hermes.Backbones;

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
