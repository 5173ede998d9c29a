using Hermes.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hermes.Backbones;

/// <summary>
/// MedFormer's multi-scale map fusion: each scale's map tokens are projected (Linear, no bias) to the fusion width,
/// concatenated along tokens, passed through a <see cref="TransformerBlock"/> (MLP ratio 1), split and projected back.
/// Names: <c>in_proj.{i}</c>, <c>fusion</c>, <c>out_proj.{i}</c>.
/// </summary>
public sealed class MapFusion : nn.Module<IReadOnlyList<Tensor>, Tensor[]>
{
#pragma warning disable IDE1006, SA1300 // field names are state-dict keys
    private readonly ModuleList<Linear> in_proj;
    private readonly TransformerBlock fusion;
    private readonly ModuleList<Linear> out_proj;
#pragma warning restore IDE1006, SA1300

    /// <summary>Creates the fusion.</summary>
    /// <param name="widths">Map widths of the fused scales.</param>
    /// <param name="dim">Fusion width.</param>
    /// <param name="depth">Transformer depth.</param>
    /// <param name="heads">Heads (width per head = dim / heads).</param>
    public MapFusion(IReadOnlyList<int> widths, int dim, int depth, int heads)
        : base(nameof(MapFusion))
    {
        HermesRuntime.EnsureInitialized();
        ArgumentNullException.ThrowIfNull(widths);
        in_proj = new ModuleList<Linear>(widths.Select(w => nn.Linear(w, dim, hasBias: false)).ToArray());
        fusion = new TransformerBlock(dim, depth, heads, dim / heads, dim);
        out_proj = new ModuleList<Linear>(widths.Select(w => nn.Linear(dim, w, hasBias: false)).ToArray());
        RegisterComponents();
    }

    /// <summary>Fuses the map tokens of every scale; returns the fused tokens per scale, same shapes as the inputs.</summary>
    /// <param name="maps">Map tokens <c>[B, M_i, C_i]</c> per scale.</param>
    public override Tensor[] forward(IReadOnlyList<Tensor> maps)
    {
        ArgumentNullException.ThrowIfNull(maps);
        using var scope = NewDisposeScope();
        var projected = maps.Select((m, i) => in_proj[i].forward(m)).ToArray();
        var fused = fusion.forward(cat(projected, 1));
        var sizes = maps.Select(m => m.shape[1]).ToArray();
        var parts = fused.split(sizes, 1);
        var result = parts.Select((p, i) => out_proj[i].forward(p)).ToArray();
        scope.MoveToOuter(result);
        return result;
    }
}
