using Hermes.Abstractions;

namespace Hermes.Training;

/// <summary>Scores a model (the EMA model during training) on validation data.</summary>
public interface IValidator
{
    /// <summary>Runs validation. The model is in evaluation mode and gradients are disabled while this runs.</summary>
    /// <param name="model">The model to score.</param>
    /// <param name="cancellationToken">Stops the pass.</param>
    ValidationReport Validate(UniversalSegmenter model, CancellationToken cancellationToken);
}
