using Hermes.Inference;
using Hermes.IO;
using Hermes.Volumes;

namespace Hermes.Experiments;

/// <summary>
/// Segments one experiment case exactly as <c>hermes predict --model M --input IMAGE --tasks T1,T2,… [--modality M]
/// --overlap O</c> does: <see cref="VolumePredictor"/> on the image file as stored, label map output on its original grid
/// (task i of the dataset's label list = label i + 1), no mirroring, no postprocessing, threshold 0.5.
/// </summary>
public static class CasePrediction
{
    /// <summary>The prediction options of every experiment evaluation.</summary>
    /// <param name="inference">The experiment's inference settings.</param>
    /// <returns>The options (<c>hermes predict</c>'s defaults with the overlap set).</returns>
    public static PredictionOptions Options(InferenceSettings inference)
    {
        ArgumentNullException.ThrowIfNull(inference);
        return new PredictionOptions
        {
            Window = new SlidingWindowOptions { Overlap = inference.Overlap, WindowsPerBatch = 1, WindowDevice = TorchSharp.torch.CPU },
            Output = PredictionOutputKind.LabelMap,
        };
    }

    /// <summary>The request of a case: its dataset's tasks in label order and its modality.</summary>
    /// <param name="c">The case.</param>
    /// <returns>The request.</returns>
    public static PredictionRequest Request(ExperimentCase c)
    {
        ArgumentNullException.ThrowIfNull(c);
        return new PredictionRequest([.. c.Dataset.Labels.Select(l => l.Task)], c.Reference.Modality ?? c.Dataset.Modality);
    }

    /// <summary>Predicts the label map of a case on its image's grid.</summary>
    /// <param name="predictor">The predictor.</param>
    /// <param name="c">The case.</param>
    /// <param name="inference">Inference settings.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The label map (dispose it).</returns>
    public static Volume Predict(VolumePredictor predictor, ExperimentCase c, InferenceSettings inference, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(predictor);
        using var image = VolumeIO.Read(c.ImagePath);
        using var result = predictor.Predict(image, Request(c), Options(inference), cancellationToken: cancellationToken);
        var map = result.LabelMap ?? throw new InvalidOperationException("The predictor returned no label map.");
        return new Volume(map.Data.clone(), map.Geometry);
    }
}
