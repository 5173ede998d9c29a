using Hermes.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hermes.Backbones;

/// <summary>
/// Semantic-map generation: values V = 3³ conv (C→C), M logit maps = 3³ conv (C→M) soft-maxed over all voxels, map
/// token k = Σ_v softmax_k(v)·V(v). Names: <c>base_proj</c>, <c>semantic_proj</c> (no biases).
/// </summary>
public sealed class SemanticMapGeneration : nn.Module<Tensor, Tensor>
{
#pragma warning disable IDE1006, SA1300 // field names are state-dict keys
    private readonly Conv3d base_proj;
    private readonly Conv3d semantic_proj;
#pragma warning restore IDE1006, SA1300

    /// <summary>Creates the layer.</summary>
    /// <param name="channels">Feature and token width.</param>
    /// <param name="mapTokens">Number of map tokens M (product of the map size).</param>
    public SemanticMapGeneration(int channels, int mapTokens)
        : base(nameof(SemanticMapGeneration))
    {
        HermesRuntime.EnsureInitialized();
        base_proj = nn.Conv3d(channels, channels, 3, padding: 1, bias: false);
        semantic_proj = nn.Conv3d(channels, mapTokens, 3, padding: 1, bias: false);
        RegisterComponents();
    }

    /// <summary>Returns the map tokens <c>[B, M, C]</c> of a feature map <c>[B, C, D, H, W]</c>.</summary>
    /// <param name="input">The feature map.</param>
    public override Tensor forward(Tensor input)
    {
        using var scope = NewDisposeScope();
        var values = base_proj.forward(input).flatten(2);
        var weights = semantic_proj.forward(input).flatten(2).softmax(-1);
        return matmul(weights, values.transpose(1, 2)).MoveToOuterDisposeScope();
    }
}
