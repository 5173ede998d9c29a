namespace Hermes.Training;

/// <summary>What one optimiser step measured.</summary>
/// <param name="Step">0-based global index of the step just taken.</param>
/// <param name="Epoch">0-based epoch of the step.</param>
/// <param name="Loss">Total (weighted) loss of the batch.</param>
/// <param name="Terms">Each loss term's unweighted value, by term name.</param>
/// <param name="LearningRate">The learning rate the step used.</param>
/// <param name="BatchSize">Samples in the batch.</param>
public sealed record TrainingStepResult(long Step, int Epoch, double Loss, IReadOnlyDictionary<string, double> Terms,
    double LearningRate, int BatchSize);
