using static TorchSharp.torch;

namespace Hermes.Inference;

/// <summary>The model call of a <see cref="SlidingWindowInferer"/>: logits for a batch of windows.</summary>
public interface IWindowPredictor
{
    /// <summary>Predicts logits for a batch of windows. Called under <c>no_grad</c>.</summary>
    /// <param name="windows">The windows, [N, C, d, h, w], on the inferer's window device.</param>
    /// <param name="placements">
    /// Where each window lies, in batch order. With mirroring, <paramref name="windows"/> holds the flipped windows and the
    /// placements are unchanged.
    /// </param>
    /// <returns>Logits [N, T, d, h, w] (any device; the inferer moves them to the output device).</returns>
    Tensor Predict(Tensor windows, IReadOnlyList<WindowPlacement> placements);
}
