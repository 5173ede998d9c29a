using Hermes.Abstractions;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hermes.Samples.CustomBackbone;

/// <summary>
/// A user-written two-level 3D U-Net implementing the backbone contract: it declares its stages (name, kind, channels,
/// stride) and calls the segmenter's hook after each, which is where the stock prior fusions plug in.
/// </summary>
public sealed class TinyUNet : nn.Module<Tensor, Tensor>, IHierarchicalBackbone
{
#pragma warning disable IDE1006, SA1300 // field names become state-dict keys
    private readonly Conv3d stem;
    private readonly Conv3d down;
    private readonly Conv3d up;
#pragma warning restore IDE1006, SA1300
    private readonly BackboneStage[] stages =
    [
        new("stem", StageKind.Encoder, 8, 1),
        new("down", StageKind.Encoder, 16, 2),
        new("up", StageKind.Decoder, 8, 1),
    ];

    public TinyUNet()
        : base(nameof(TinyUNet))
    {
        stem = nn.Conv3d(1, 8, 3, padding: 1);
        down = nn.Conv3d(8, 16, 3, padding: 1);
        up = nn.Conv3d(24, 8, 3, padding: 1);
        RegisterComponents();
    }

    public int InputChannels => 1;

    public int OutputChannels => 8;

    public IReadOnlyList<BackboneStage> Stages => stages;

    public void ValidateSpatialSize(ReadOnlySpan<long> spatialSize)
    {
        foreach (var s in spatialSize)
        {
            if (s < 4 || s % 2 != 0)
            {
                throw new ArgumentException($"TinyUNet needs even sizes ≥ 4; got {s}.");
            }
        }
    }

    public Tensor Forward(Tensor input, IStageHook hook)
    {
        using var scope = NewDisposeScope();
        var s = hook.AfterStage(stages[0], nn.functional.relu(stem.forward(input)));
        var d = hook.AfterStage(stages[1], nn.functional.relu(down.forward(nn.functional.max_pool3d(s, [2, 2, 2]))));
        var u = nn.functional.interpolate(d, s.shape[2..], mode: InterpolationMode.Trilinear, align_corners: true);
        var o = hook.AfterStage(stages[2], up.forward(cat([s, u], 1)));
        return o.MoveToOuterDisposeScope();
    }

    public override Tensor forward(Tensor input) => throw new NotSupportedException("Run through a UniversalSegmenter.");
}
