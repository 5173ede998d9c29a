using static TorchSharp.torch;

namespace Hermes.Abstractions;

/// <summary>
/// Feature ⇄ prior exchange at one scale: selects priors, lets them and the feature map attend to each other, and
/// returns the updated feature map together with the posterior tokens.
/// </summary>
public interface IPriorFusion
{
    /// <summary>Channels of the feature map this fusion accepts (and of its tokens).</summary>
    int Dim { get; }

    /// <summary>Fuses priors into <paramref name="features"/>.</summary>
    /// <param name="features">Feature map <c>[B, Dim, D, H, W]</c>.</param>
    /// <param name="request">The task/modality request.</param>
    /// <returns>The fused feature map (same shape) and the posterior tokens <c>[B, T + l, Dim]</c>.</returns>
    (Tensor Features, Tensor Posterior) Fuse(Tensor features, PriorRequest request);
}
