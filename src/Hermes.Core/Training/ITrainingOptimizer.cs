using TorchSharp;

namespace Hermes.Training;

/// <summary>
/// An optimiser the <see cref="Trainer"/> drives: one learning rate, a step that applies the gradients, and a state
/// that round-trips through a checkpoint bit for bit.
/// </summary>
public interface ITrainingOptimizer : IDisposable
{
    /// <summary>Short name written to checkpoints and logs (<c>lamb</c>, <c>adamw</c>).</summary>
    string Name { get; }

    /// <summary>The learning rate used by the next <see cref="Step"/>.</summary>
    double LearningRate { get; set; }

    /// <summary>Number of steps taken so far.</summary>
    long StepCount { get; }

    /// <summary>Applies the current gradients to the parameters.</summary>
    void Step();

    /// <summary>Clears the gradients of every parameter (sets them to none).</summary>
    void ZeroGrad();

    /// <summary>
    /// The optimiser state as named tensors (moments per parameter, step counters), in a stable order. The tensors are
    /// copies that the caller owns.
    /// </summary>
    IReadOnlyDictionary<string, torch.Tensor> StateDict();

    /// <summary>Restores a state produced by <see cref="StateDict"/> of an optimiser over the same parameters.</summary>
    /// <param name="state">The named tensors; they are copied, not kept.</param>
    /// <exception cref="InvalidDataException">A tensor is missing or has the wrong shape.</exception>
    void LoadStateDict(IReadOnlyDictionary<string, torch.Tensor> state);
}
