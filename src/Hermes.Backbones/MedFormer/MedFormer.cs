using Hermes.Abstractions;
using Hermes.Backbones.Blocks;
using Hermes.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Backbones;

/// <summary>
/// The MedFormer backbone of Hermes-M (reference §6). Priors ride inside its semantic-map tokens: stages down2…up2 own
/// their prior pools and report their posteriors through <see cref="IStageHook.AddPosterior"/>.
/// </summary>
/// <remarks>Every spatial axis must be divisible by 16 (four 2³ patch mergings) and the 1/16 bottleneck must hold more than one voxel.</remarks>
public sealed class MedFormer : nn.Module<Tensor, Tensor>, IPriorFusingBackbone
{
#pragma warning disable IDE1006, SA1300 // field names are state-dict keys
    private readonly ResUNetInputBlock inc;
    private readonly MedFormerConvDown down1;
    private readonly MedFormerAttentionDown down2;
    private readonly MedFormerAttentionDown down3;
    private readonly MedFormerAttentionDown down4;
    private readonly MapFusion map_fusion;
    private readonly MedFormerAttentionUp up1;
    private readonly MedFormerAttentionUp up2;
    private readonly MedFormerConvUp up3;
    private readonly MedFormerConvUp up4;
#pragma warning restore IDE1006, SA1300
    private readonly BackboneStage[] stages;
    private readonly int[] posteriorWidths;

    /// <summary>Creates the backbone with its five prior pools.</summary>
    /// <param name="options">Architecture options; <see langword="null"/> for the published configuration.</param>
    /// <param name="taskCount">Task vocabulary size tn.</param>
    /// <param name="modalityCount">Number of modalities mn.</param>
    /// <param name="tokensPerModality">Tokens per modality l.</param>
    /// <param name="usePriors">Whether stages down2…up2 own prior pools (false: the plain MedFormer, map tokens only).</param>
    public MedFormer(MedFormerOptions? options = null, int taskCount = 72, int modalityCount = 6, int tokensPerModality = 10,
        bool usePriors = true)
        : base(nameof(MedFormer))
    {
        HermesRuntime.EnsureInitialized();
        Options = options ?? new MedFormerOptions();
        Options.Validate();
        var o = Options;
        var c = o.Channels;
        inc = new ResUNetInputBlock(o.InputChannels, o.BaseChannels);
        down1 = new MedFormerConvDown(o.BaseChannels, c[0], o.ConvBlocks[0]);
        down2 = new MedFormerAttentionDown(c[0], c[1], o.TransformerBlocks[1], o.Heads[1], o.MapSize, o.Expansion, taskCount, modalityCount, tokensPerModality, usePriors);
        down3 = new MedFormerAttentionDown(c[1], c[2], o.TransformerBlocks[2], o.Heads[2], o.MapSize, o.Expansion, taskCount, modalityCount, tokensPerModality, usePriors);
        down4 = new MedFormerAttentionDown(c[2], c[3], o.TransformerBlocks[3], o.Heads[3], o.MapSize, o.Expansion, taskCount, modalityCount, tokensPerModality, usePriors);
        map_fusion = new MapFusion([c[1], c[2], c[3]], o.FusionDim, o.FusionDepth, o.FusionHeads);
        up1 = new MedFormerAttentionUp(c[3], c[2], c[4], o.TransformerBlocks[4], o.Heads[4], o.Expansion, projectLastMap: true,
            taskCount, modalityCount, tokensPerModality, usePriors);
        up2 = new MedFormerAttentionUp(c[4], c[1], c[5], o.TransformerBlocks[5], o.Heads[5], o.Expansion, projectLastMap: false,
            taskCount, modalityCount, tokensPerModality, usePriors);
        up3 = new MedFormerConvUp(c[5] + c[0], c[6], o.ConvBlocks[6]);
        up4 = new MedFormerConvUp(c[6] + o.BaseChannels, c[7], o.ConvBlocks[7]);
        stages = UNetHierarchy.Stages([o.BaseChannels, c[0], c[1], c[2], c[3]], [c[4], c[5], c[6], c[7]]);
        posteriorWidths = usePriors ? [c[1], c[2], c[3], c[4], c[5]] : [];
        UsesPriors = usePriors;
        RegisterComponents();
    }

    /// <summary>The architecture options.</summary>
    public MedFormerOptions Options { get; }

    /// <summary>Whether the stages fuse priors (Hermes-M) or run on map tokens only (plain MedFormer).</summary>
    public bool UsesPriors { get; }

    /// <inheritdoc/>
    public int InputChannels => Options.InputChannels;

    /// <inheritdoc/>
    public int OutputChannels => stages[^1].Channels;

    /// <inheritdoc/>
    public IReadOnlyList<BackboneStage> Stages => stages;

    /// <inheritdoc/>
    public IReadOnlyList<int> PosteriorWidths => posteriorWidths;

    /// <inheritdoc/>
    public void ValidateSpatialSize(ReadOnlySpan<long> spatialSize) => UNetHierarchy.ValidateSpatialSize(nameof(MedFormer), spatialSize, exactHalvings: true);

    /// <inheritdoc/>
    public Tensor Forward(Tensor input, IStageHook hook)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(hook);
        using var scope = NewDisposeScope();
        var request = UsesPriors ? hook.Priors : null;
        var x0 = hook.AfterStage(stages[0], inc.forward(input));
        var x1 = hook.AfterStage(stages[1], down1.forward(x0));
        var (x2, m2) = AttentionStage(hook, stages[2], down2.forward(x1, request));
        var (x3, m3) = AttentionStage(hook, stages[3], down3.forward(x2, request));
        var (x4, m4) = AttentionStage(hook, stages[4], down4.forward(x3, request));
        var fused = map_fusion.forward([m2, m3, m4]);
        hook.Observe("map_fusion", fused[0]);
        hook.Observe("map_fusion.1", fused[1]);
        hook.Observe("map_fusion.2", fused[2]);
        var (u1, mu1) = AttentionStage(hook, stages[5], up1.forward((x4, x3, fused[2], fused[1]), request));
        var (u2, mu2) = AttentionStage(hook, stages[6], up2.forward((u1, x2, mu1, fused[0]), request));
        var u3 = up3.forward(u2, x1);
        hook.Observe("up3.1", mu2);
        u3 = hook.AfterStage(stages[7], u3);
        var u4 = up4.forward(u3, x0);
        hook.Observe("up4.1", mu2);
        u4 = hook.AfterStage(stages[8], u4);
        return u4.MoveToOuterDisposeScope();
    }

    /// <summary>Runs the plain backbone and returns the final feature map.</summary>
    /// <param name="input">Images.</param>
    /// <exception cref="InvalidOperationException">The stages fuse priors: use a <see cref="UniversalSegmenter"/> (see <see cref="HermesM"/>).</exception>
    public override Tensor forward(Tensor input) => Forward(input, PassThroughHook.Instance);

    private static (Tensor Features, Tensor Map) AttentionStage(IStageHook hook, BackboneStage stage,
        (Tensor Features, Tensor Map, Tensor? Posterior) output)
    {
        hook.Observe(stage.Name + ".1", output.Map);
        if (output.Posterior is not null)
        {
            hook.Observe(stage.Name + ".2", output.Posterior);
            hook.AddPosterior(output.Posterior);
        }

        return (hook.AfterStage(stage, output.Features), output.Map);
    }
}
