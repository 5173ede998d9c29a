using Hermes.Abstractions;
using Hermes.Priors.Layers;
using Hermes.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hermes.Priors.Heads;

/// <summary>
/// Hermes' hierarchical posterior head: concatenates the task tokens of every fused scale along features,
/// LayerNorm (eps 1e-5), Mlp(in→in→out) then Mlp(out→out→out) into per-task dynamic 1×1×1 kernels <c>[B, T, C]</c>,
/// applied to the feature map without bias.
/// </summary>
/// <remarks>
/// State-dict names: <c>norm</c>, <c>classifier_pred.0</c>, <c>classifier_pred.1</c>. The four Linear layers are
/// Xavier-uniform with zero biases.
/// </remarks>
public sealed class HierarchyPriorClassifier : nn.Module<IReadOnlyList<Tensor>, Tensor, int, Tensor>, IPosteriorHead
{
#pragma warning disable IDE1006, SA1300 // field names are state-dict keys
    private readonly LayerNorm norm;
    private readonly ModuleList<Mlp> classifier_pred;
#pragma warning restore IDE1006, SA1300

    /// <summary>Creates the head.</summary>
    /// <param name="posteriorWidth">Sum of the posterior widths (34·C in Hermes).</param>
    /// <param name="featureChannels">Channels of the feature map the kernels apply to.</param>
    public HierarchyPriorClassifier(int posteriorWidth, int featureChannels)
        : base(nameof(HierarchyPriorClassifier))
    {
        HermesRuntime.EnsureInitialized();
        ArgumentOutOfRangeException.ThrowIfLessThan(posteriorWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(featureChannels, 1);
        PosteriorWidth = posteriorWidth;
        FeatureChannels = featureChannels;
        norm = nn.LayerNorm([posteriorWidth], 1e-5);
        var first = new Mlp(posteriorWidth, posteriorWidth, featureChannels);
        var second = new Mlp(featureChannels, featureChannels, featureChannels);
        first.ResetXavier();
        second.ResetXavier();
        classifier_pred = new ModuleList<Mlp>(first, second);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public int PosteriorWidth { get; }

    /// <inheritdoc/>
    public int FeatureChannels { get; }

    /// <inheritdoc/>
    public Tensor Predict(IReadOnlyList<Tensor> posteriors, Tensor features, int taskCount) =>
        forward(posteriors, features, taskCount);

    /// <summary>Computes per-task dynamic kernels <c>[B, T, C]</c> from the posteriors.</summary>
    /// <param name="posteriors">Posterior tokens of every fused scale, in order.</param>
    /// <param name="taskCount">T.</param>
    public Tensor Kernels(IReadOnlyList<Tensor> posteriors, int taskCount)
    {
        ArgumentNullException.ThrowIfNull(posteriors);
        using var scope = NewDisposeScope();
        var tokens = cat(posteriors.Select(p => p.narrow(1, 0, taskCount)).ToArray(), -1);
        if (tokens.shape[2] != PosteriorWidth)
        {
            throw new ArgumentException(
                $"Posteriors have total width {tokens.shape[2]}; this head expects {PosteriorWidth}.", nameof(posteriors));
        }

        var x = norm.forward(tokens);
        foreach (var mlp in classifier_pred)
        {
            x = mlp.forward(x);
        }

        return x.MoveToOuterDisposeScope();
    }

    /// <inheritdoc/>
    public override Tensor forward(IReadOnlyList<Tensor> posteriors, Tensor features, int taskCount)
    {
        ArgumentNullException.ThrowIfNull(features);
        using var scope = NewDisposeScope();
        var kernels = Kernels(posteriors, taskCount);
        var shape = features.shape;
        var flat = features.reshape(shape[0], shape[1], -1);
        var logits = bmm(kernels, flat);
        return logits.view([shape[0], taskCount, .. shape[2..]]).MoveToOuterDisposeScope();
    }
}
