using Hermes.Abstractions;
using Hermes.Backbones.Blocks;
using Hermes.Priors.Fusion;
using Hermes.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hermes.Backbones;

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
