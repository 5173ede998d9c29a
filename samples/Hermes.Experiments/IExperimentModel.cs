using Hermes.Data;
using Hermes.Inference;

namespace Hermes.Experiments;

/// <summary>The network of an experiment: trains on the experiment's batches, saves itself, and predicts for the evaluation.</summary>
public interface IExperimentModel : IDisposable
{
    /// <summary>Trains for the experiment's steps, reporting to <paramref name="curve"/> (validating when the settings say).</summary>
    /// <param name="source">The batches, built in the background while the model trains (batch n depends only on the seed and n).</param>
    /// <param name="curve">Receives step and validation reports.</param>
    /// <param name="cancellationToken">Stops after the current step.</param>
    Task TrainAsync(TrainingBatchSource source, TrainingCurve curve, CancellationToken cancellationToken);

    /// <summary>Writes the evaluated weights (the EMA model when there is one) and the sidecar beside them.</summary>
    /// <param name="safetensorsPath">The weights file (<c>.safetensors</c>; the sidecar is the same name with <c>.json</c>).</param>
    void Save(string safetensorsPath);

    /// <summary>The predictor of the final evaluation, built from the files <see cref="Save"/> wrote.</summary>
    /// <param name="safetensorsPath">The weights file.</param>
    /// <returns>The predictor and the model it owns (dispose the model).</returns>
    (VolumePredictor Predictor, IDisposable Model) LoadPredictor(string safetensorsPath);
}
