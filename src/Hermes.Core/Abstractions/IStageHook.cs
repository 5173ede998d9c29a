using static TorchSharp.torch;

namespace Hermes.Abstractions;

/// <summary>
/// What a backbone calls back into during its forward pass: the segmenter inserts prior fusion here and collects the
/// posterior tokens that the heads consume.
/// </summary>
public interface IStageHook
{
    /// <summary>The task/modality request of this forward pass.</summary>
    PriorRequest Priors { get; }

    /// <summary>
    /// Called by the backbone with each stage's output. Returns the feature map the backbone must use from then on,
    /// both as the next stage's input and as that stage's skip connection (the prior-fused map when a fusion is
    /// inserted after the stage, otherwise <paramref name="features"/> itself).
    /// </summary>
    /// <param name="stage">The stage that produced <paramref name="features"/>.</param>
    /// <param name="features">The stage output, <c>[B, C, D, H, W]</c>.</param>
    Tensor AfterStage(BackboneStage stage, Tensor features);

    /// <summary>
    /// For backbones that fuse priors inside their stages (MedFormer): hands over posterior tokens <c>[B, T + l, C]</c>
    /// of one fused scale. Posteriors are consumed by the heads in the order they are added.
    /// </summary>
    void AddPosterior(Tensor posterior);

    /// <summary>Lets observers (parity tests, debugging) see a named intermediate tensor; a no-op by default.</summary>
    /// <param name="name">Name of the tensor (for example <c>down2</c> or <c>down2.1</c>).</param>
    /// <param name="value">The tensor; observers must not modify or dispose it.</param>
    void Observe(string name, Tensor value);
}
