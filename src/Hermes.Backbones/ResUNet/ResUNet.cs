using Hermes.Abstractions;
using Hermes.Backbones.Blocks;
using Hermes.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Backbones;

/// <summary>
/// The ResUNet backbone of Hermes-R (reference §2): <c>inc</c>, <c>down1</c>…<c>down4</c> (max-pool + pre-activation
/// BasicBlocks), <c>up1</c>…<c>up4</c> (trilinear upsample to the skip's size, concat [skip, up], BasicBlocks).
/// </summary>
/// <remarks>
/// Skips are the outputs the <see cref="IStageHook"/> returns, i.e. the prior-fused maps when a fusion is inserted
/// after an encoder stage. Any input size works as long as every axis survives four floor-halvings and the 1/16
/// bottleneck holds more than one voxel (InstanceNorm needs ≥ 2 spatial elements).
/// </remarks>
public sealed class ResUNet : nn.Module<Tensor, Tensor>, IHierarchicalBackbone
{
#pragma warning disable IDE1006, SA1300 // field names are state-dict keys
    private readonly ResUNetInputBlock inc;
    private readonly ResUNetDownBlock down1;
    private readonly ResUNetDownBlock down2;
    private readonly ResUNetDownBlock down3;
    private readonly ResUNetDownBlock down4;
    private readonly ResUNetUpBlock up1;
    private readonly ResUNetUpBlock up2;
    private readonly ResUNetUpBlock up3;
    private readonly ResUNetUpBlock up4;
#pragma warning restore IDE1006, SA1300
    private readonly BackboneStage[] stages;

    /// <summary>Creates the backbone with PyTorch's default initialisation.</summary>
    /// <param name="options">Architecture options; <see langword="null"/> for the published configuration.</param>
    public ResUNet(ResUNetOptions? options = null)
        : base(nameof(ResUNet))
    {
        HermesRuntime.EnsureInitialized();
        Options = options ?? new ResUNetOptions();
        Options.Validate();
        var c = Options.ChannelMultipliers.Select(m => m * Options.BaseChannels).ToArray();
        var b = Options.Blocks;
        inc = new ResUNetInputBlock(Options.InputChannels, c[0]);
        down1 = new ResUNetDownBlock(c[0], c[1], b[0]);
        down2 = new ResUNetDownBlock(c[1], c[2], b[1]);
        down3 = new ResUNetDownBlock(c[2], c[3], b[2]);
        down4 = new ResUNetDownBlock(c[3], c[4], b[3]);
        up1 = new ResUNetUpBlock(c[4] + c[3], c[3], b[3]);
        up2 = new ResUNetUpBlock(c[3] + c[2], c[2], b[2]);
        up3 = new ResUNetUpBlock(c[2] + c[1], c[1], b[1]);
        up4 = new ResUNetUpBlock(c[1] + c[0], c[0], b[0]);
        stages = UNetHierarchy.Stages(c, [c[3], c[2], c[1], c[0]]);
        RegisterComponents();
    }

    /// <summary>The architecture options.</summary>
    public ResUNetOptions Options { get; }

    /// <inheritdoc/>
    public int InputChannels => Options.InputChannels;

    /// <inheritdoc/>
    public int OutputChannels => stages[^1].Channels;

    /// <inheritdoc/>
    public IReadOnlyList<BackboneStage> Stages => stages;

    /// <inheritdoc/>
    public void ValidateSpatialSize(ReadOnlySpan<long> spatialSize) => UNetHierarchy.ValidateSpatialSize(nameof(ResUNet), spatialSize, exactHalvings: false);

    /// <inheritdoc/>
    public Tensor Forward(Tensor input, IStageHook hook)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(hook);
        using var scope = NewDisposeScope();
        var x0 = hook.AfterStage(stages[0], inc.forward(input));
        var x1 = hook.AfterStage(stages[1], down1.forward(x0));
        var x2 = hook.AfterStage(stages[2], down2.forward(x1));
        var x3 = hook.AfterStage(stages[3], down3.forward(x2));
        var x4 = hook.AfterStage(stages[4], down4.forward(x3));
        var u = hook.AfterStage(stages[5], up1.forward(x4, x3));
        u = hook.AfterStage(stages[6], up2.forward(u, x2));
        u = hook.AfterStage(stages[7], up3.forward(u, x1));
        u = hook.AfterStage(stages[8], up4.forward(u, x0));
        return u.MoveToOuterDisposeScope();
    }

    /// <summary>Runs the plain backbone (no fusion) and returns the final feature map.</summary>
    /// <param name="input">Images <c>[B, C_in, D, H, W]</c>.</param>
    public override Tensor forward(Tensor input) => Forward(input, PassThroughHook.Instance);
}
