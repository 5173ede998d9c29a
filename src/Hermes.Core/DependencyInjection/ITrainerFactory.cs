using Hermes.Abstractions;
using Hermes.Training;

namespace Hermes.DependencyInjection;

/// <summary>Creates trainers configured from the (named) <see cref="HermesOptions"/>.</summary>
public interface ITrainerFactory
{
    /// <summary>
    /// Creates a trainer for <paramref name="model"/>: the configured optimiser, warm-up + poly schedule, weight EMA (a second
    /// model from the <see cref="ISegmenterFactory"/>) and the registered loss. Dispose the trainer, its
    /// <see cref="Trainer.Optimizer"/> and its <see cref="Trainer.AverageModel"/> when done.
    /// </summary>
    /// <param name="model">The model to train.</param>
    /// <param name="name">The options name; <see langword="null"/> for the default options.</param>
    /// <param name="validator">Validation; optional.</param>
    Trainer Create(UniversalSegmenter model, string? name = null, IValidator? validator = null);
}
