using Hermes.Abstractions;
using Hermes.Checkpoints;
using Hermes.Data;
using Hermes.Inference;
using Hermes.IO;
using Hermes.Metrics;
using Hermes.Training;
using static TorchSharp.torch;

namespace Hermes.Experiments;

/// <summary>
/// Validation during training through the same path as the final evaluation (<see cref="CasePrediction"/>: volume
/// predictor, original geometry, label map): mean Dice per task over the held-out cases, for the training curve.
/// </summary>
/// <param name="cases">The held-out cases.</param>
/// <param name="catalog">The experiment's catalog (task indices of the report).</param>
/// <param name="predictors">Builds a predictor around the model being validated (the EMA model).</param>
/// <param name="inference">Inference settings.</param>
public sealed class PredictorValidator(
    IReadOnlyList<ExperimentCase> cases,
    TaskCatalog catalog,
    Func<UniversalSegmenter?, VolumePredictor> predictors,
    InferenceSettings inference) : IValidator
{
    /// <inheritdoc />
    public ValidationReport Validate(UniversalSegmenter model, CancellationToken cancellationToken) => Score(predictors(model), cancellationToken);

    /// <summary>Scores a ready predictor (for models that are not a <see cref="UniversalSegmenter"/>).</summary>
    /// <param name="predictor">The predictor.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>Mean Dice per task index.</returns>
    public ValidationReport Score(VolumePredictor predictor, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(predictor);
        var sums = new Dictionary<long, (double Sum, int Count)>();
        foreach (var c in cases)
        {
            cancellationToken.ThrowIfCancellationRequested();
            using var scope = NewDisposeScope();
            using var map = CasePrediction.Predict(predictor, c, inference, cancellationToken);
            using var reference = VolumeIO.Read(c.LabelPath);
            var labels = reference.Data[0];
            for (var t = 0; t < c.Dataset.Labels.Count; t++)
            {
                var expected = labels.eq(c.Dataset.Labels[t].Value);
                if (!expected.any().item<bool>())
                {
                    continue;
                }

                var dice = SegmentationOverlap.Count(map.Data[0].eq(t + 1), expected).Dice;
                var task = catalog.Vocabulary.TaskIndex(c.Dataset.Labels[t].Task);
                var (sum, count) = sums.GetValueOrDefault(task);
                sums[task] = (sum + dice, count + 1);
            }
        }

        return ValidationReport.FromSums(sums);
    }

    /// <summary>The sidecar-described predictor factory for a Hermes-R model.</summary>
    /// <param name="sidecar">The sidecar.</param>
    /// <returns>The factory.</returns>
    public static Func<UniversalSegmenter?, VolumePredictor> ForUniversal(ModelSidecar sidecar) =>
        model => new VolumePredictor(model ?? throw new ArgumentNullException(nameof(model)), sidecar, CPU);
}
