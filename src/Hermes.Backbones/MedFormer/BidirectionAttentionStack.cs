using Hermes.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hermes.Backbones;

/// <summary>A sequence of <see cref="BidirectionAttentionBlock"/>s (reference name <c>trans_blocks</c>; child <c>blocks</c>).</summary>
public sealed class BidirectionAttentionStack : nn.Module<Tensor, Tensor, (Tensor Features, Tensor Map)>
{
#pragma warning disable IDE1006, SA1300 // field names are state-dict keys
    private readonly ModuleList<BidirectionAttentionBlock> blocks;
#pragma warning restore IDE1006, SA1300

    /// <summary>Creates the stack; the first block maps <paramref name="inChannels"/> to <paramref name="outChannels"/>.</summary>
    /// <param name="inChannels">Input feature channels.</param>
    /// <param name="outChannels">Output feature channels.</param>
    /// <param name="depth">Number of blocks.</param>
    /// <param name="heads">Heads.</param>
    /// <param name="dimHead">Width per head.</param>
    /// <param name="expansion">MBConv expansion.</param>
    /// <param name="projectLastMap">Whether the last block projects its map update (false in up2).</param>
    public BidirectionAttentionStack(int inChannels, int outChannels, int depth, int heads, int dimHead, int expansion,
        bool projectLastMap = true)
        : base(nameof(BidirectionAttentionStack))
    {
        HermesRuntime.EnsureInitialized();
        ArgumentOutOfRangeException.ThrowIfLessThan(depth, 1);
        blocks = new ModuleList<BidirectionAttentionBlock>(Enumerable.Range(0, depth).Select(i => new BidirectionAttentionBlock(
            i == 0 ? inChannels : outChannels, outChannels, outChannels, heads, dimHead, expansion,
            projectMap: projectLastMap || i < depth - 1)).ToArray());
        RegisterComponents();
    }

    /// <inheritdoc/>
    public override (Tensor Features, Tensor Map) forward(Tensor features, Tensor map)
    {
        using var scope = NewDisposeScope();
        foreach (var block in blocks)
        {
            (features, map) = block.forward(features, map);
        }

        scope.MoveToOuter(features, map);
        return (features, map);
    }
}
