using Hermes.Abstractions;
using Hermes.Training;
using Hermes.Transfer;

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

    /// <summary>
    /// Creates a trainer that fine-tunes <paramref name="model"/> (for example one initialised from a trained model with
    /// <see cref="ModelTransfer"/>): as <see cref="Create"/>, but the parts <paramref name="fineTune"/> freezes stop
    /// requiring gradients and stay bit-identical (in the model and in its weight EMA), and the optimiser is a
    /// <see cref="FineTuneOptimizer"/> over the trainable parts only — one optimiser of the configured kind per parameter
    /// group (the backbone in its own group at <see cref="FineTuneOptions.BackboneLearningRateScale"/> × the scheduled rate),
    /// with one global gradient-norm clip (<see cref="FineTuneOptions.MaxGradNorm"/>) instead of the optimiser's own.
    /// </summary>
    /// <param name="model">The model to fine-tune (modified: frozen parameters stop requiring gradients).</param>
    /// <param name="fineTune">What trains, and how fast.</param>
    /// <param name="name">The options name; <see langword="null"/> for the default options.</param>
    /// <param name="validator">Validation; optional.</param>
    /// <exception cref="ArgumentException"><paramref name="fineTune"/> is invalid.</exception>
    Trainer CreateFineTuning(UniversalSegmenter model, FineTuneOptions fineTune, string? name = null, IValidator? validator = null);
}
