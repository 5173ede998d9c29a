namespace Hermes.Training;

/// <summary>Progress of a training run, reported after every step and every validation.</summary>
/// <param name="Epoch">0-based current epoch.</param>
/// <param name="Step">Number of steps completed in the whole run.</param>
/// <param name="TotalSteps">Steps of the whole run.</param>
/// <param name="Loss">Total loss of the last step.</param>
/// <param name="Terms">Loss terms of the last step, by name.</param>
/// <param name="LearningRate">Learning rate of the last step.</param>
/// <param name="SamplesPerSecond">Throughput since this call of <see cref="Trainer.RunAsync"/> started.</param>
/// <param name="Eta">Estimated time to the end of the run (null until one step has been timed).</param>
/// <param name="Validation">The validation just completed, or null.</param>
public sealed record TrainingProgress(int Epoch, long Step, long TotalSteps, double Loss, IReadOnlyDictionary<string, double> Terms,
    double LearningRate, double SamplesPerSecond, TimeSpan? Eta, ValidationReport? Validation);
