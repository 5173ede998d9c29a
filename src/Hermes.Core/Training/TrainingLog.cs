using Microsoft.Extensions.Logging;

namespace Hermes.Training;

/// <summary>The trainer's log events.</summary>
internal static partial class TrainingLog
{
    [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Training from step {Step} to {TotalSteps} ({Epochs} epochs × {StepsPerEpoch} steps), optimiser {Optimizer}, schedule {Schedule}")]
    public static partial void RunStarted(ILogger logger, long step, long totalSteps, int epochs, int stepsPerEpoch, string optimizer, string schedule);

    [LoggerMessage(EventId = 5002, Level = LogLevel.Debug, Message = "Step {Step} (epoch {Epoch}): loss {Loss:G6}, lr {LearningRate:G4}")]
    public static partial void StepDone(ILogger logger, long step, int epoch, double loss, double learningRate);

    [LoggerMessage(EventId = 5003, Level = LogLevel.Information, Message = "Epoch {Epoch} done: mean loss {Loss:G6}, {SamplesPerSecond:F2} samples/s")]
    public static partial void EpochDone(ILogger logger, int epoch, double loss, double samplesPerSecond);

    [LoggerMessage(EventId = 5004, Level = LogLevel.Information, Message = "Validation after epoch {Epoch}: mean Dice {MeanDice:F4} over {Tasks} task(s)")]
    public static partial void Validated(ILogger logger, int epoch, double meanDice, int tasks);

    [LoggerMessage(EventId = 5005, Level = LogLevel.Information, Message = "Checkpoint written: {Path} (step {Step})")]
    public static partial void CheckpointWritten(ILogger logger, string path, long step);

    [LoggerMessage(EventId = 5006, Level = LogLevel.Information, Message = "Resumed from {Path} at step {Step} (epoch {Epoch})")]
    public static partial void Resumed(ILogger logger, string path, long step, int epoch);

    [LoggerMessage(EventId = 5007, Level = LogLevel.Warning, Message = "Non-finite loss {Loss} at step {Step}")]
    public static partial void NonFiniteLoss(ILogger logger, double loss, long step);
}
