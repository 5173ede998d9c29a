using Hermes.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hermes.Backbones;

/// <summary>
/// Squeeze-and-excitation: global average → 1³ conv (C→C/r, bias) → ReLU → 1³ conv (C/r→C, bias) → sigmoid → scale.
/// Names: <c>excitation.0</c>, <c>excitation.2</c>.
/// </summary>
public sealed class SqueezeExcitation : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006, SA1300 // field names are state-dict keys
    private readonly Sequential excitation;
#pragma warning restore IDE1006, SA1300

    /// <summary>Creates the layer.</summary>
    /// <param name="channels">Channels C.</param>
    /// <param name="reducedChannels">Bottleneck width.</param>
    public SqueezeExcitation(int channels, int reducedChannels)
        : base(nameof(SqueezeExcitation))
    {
        HermesRuntime.EnsureInitialized();
        excitation = nn.Sequential(
            ("0", nn.Conv3d(channels, reducedChannels, 1)),
            ("1", nn.ReLU()),
            ("2", nn.Conv3d(reducedChannels, channels, 1)),
            ("3", nn.Sigmoid()));
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override Tensor forward(Tensor input)
    {
        using var pooled = input.mean([2, 3, 4], keepdim: true);
        using var gate = excitation.forward(pooled);
        return input.mul(gate);
    }
}
