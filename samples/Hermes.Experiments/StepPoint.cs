namespace Hermes.Experiments;

/// <summary>One training step of a <see cref="TrainingCurve"/>.</summary>
/// <param name="Step">Steps completed.</param>
/// <param name="Loss">The step's total loss.</param>
/// <param name="LearningRate">The step's learning rate.</param>
/// <param name="Seconds">Wall time since the run started.</param>
/// <param name="CpuSeconds">Processor time of the process so far.</param>
public readonly record struct StepPoint(long Step, double Loss, double LearningRate, double Seconds, double CpuSeconds);
