namespace Hermes.Training;

/// <summary>A learning rate as a pure function of the global optimiser step (so resuming needs no extra state).</summary>
public interface ILearningRateSchedule
{
    /// <summary>Short description written to checkpoints and logs (the schedule's kind and parameters).</summary>
    string Describe();

    /// <summary>The learning rate for the optimiser step with 0-based index <paramref name="step"/>.</summary>
    /// <param name="step">Global 0-based step (epoch · steps per epoch + step within the epoch).</param>
    double LearningRate(long step);
}
