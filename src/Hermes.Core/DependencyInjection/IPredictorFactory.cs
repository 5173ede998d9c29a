using Hermes.Abstractions;
using Hermes.Inference;

namespace Hermes.DependencyInjection;

/// <summary>Creates predictors configured from the (named) <see cref="HermesOptions"/>.</summary>
public interface IPredictorFactory
{
    /// <summary>Creates a sliding-window predictor for <paramref name="model"/> (which the caller keeps owning).</summary>
    /// <param name="model">A trained model.</param>
    /// <param name="name">The options name; <see langword="null"/> for the default options.</param>
    SegmentationPredictor Create(UniversalSegmenter model, string? name = null);
}
