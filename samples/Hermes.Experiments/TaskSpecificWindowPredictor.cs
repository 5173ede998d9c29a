using Hermes.Backbones;
using Hermes.Inference;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Experiments;

/// <summary>Runs a <see cref="TaskSpecificSegmenter"/> on sliding windows and returns the logit channels of the requested classes.</summary>
/// <param name="model">The model (evaluation mode is set here).</param>
/// <param name="classes">Class (channel) indices, in the order the predictor asked for its tasks.</param>
public sealed class TaskSpecificWindowPredictor(TaskSpecificSegmenter model, IReadOnlyList<int> classes) : IWindowPredictor
{
    private readonly long[] channels = [.. classes.Select(c => (long)c)];

    /// <inheritdoc />
    public Tensor Predict(Tensor windows, IReadOnlyList<WindowPlacement> placements)
    {
        ArgumentNullException.ThrowIfNull(windows);
        model.eval();
        using var scope = NewDisposeScope();
        var logits = model.forward(windows);
        return logits.index_select(1, tensor(channels)).MoveToOuterDisposeScope();
    }
}
