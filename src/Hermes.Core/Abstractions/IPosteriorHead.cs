using static TorchSharp.torch;

namespace Hermes.Abstractions;

/// <summary>
/// Turns the task posteriors of all fused scales into per-task dynamic kernels and applies them to a feature map.
/// </summary>
public interface IPosteriorHead
{
    /// <summary>Sum of the posterior widths this head expects, in order.</summary>
    int PosteriorWidth { get; }

    /// <summary>Channels of the feature map the kernels apply to.</summary>
    int FeatureChannels { get; }

    /// <summary>Computes logits <c>[B, T, D, H, W]</c>.</summary>
    /// <param name="posteriors">Posterior tokens <c>[B, T + l, C_i]</c> of every fused scale, in fusion order.</param>
    /// <param name="features">Feature map <c>[B, FeatureChannels, D, H, W]</c>.</param>
    /// <param name="taskCount">T: the first T tokens of each posterior are the task tokens.</param>
    Tensor Predict(IReadOnlyList<Tensor> posteriors, Tensor features, int taskCount);
}
