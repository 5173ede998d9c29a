namespace Hermes.Training;

/// <summary>Options of the <see cref="Trainer"/>; the defaults follow Hermes (reference §10) where it has a value.</summary>
public sealed record TrainerOptions
{
    /// <summary>The reference's epochs; the one declaration of this default (the schedule and the DI options use it).</summary>
    internal const int ReferenceEpochs = 200;

    /// <summary>The reference's steps per epoch (one declaration, as <see cref="ReferenceEpochs"/>).</summary>
    internal const int ReferenceStepsPerEpoch = 400;

    /// <summary>The default seed of a run (one declaration, as <see cref="ReferenceEpochs"/>).</summary>
    internal const long DefaultSeed = 42;

    /// <summary>The reference's EMA decay (one declaration, as <see cref="ReferenceEpochs"/>).</summary>
    internal const double ReferenceEmaDecay = 0.99;

    /// <summary>Number of epochs of the run (Hermes: 200).</summary>
    public int Epochs { get; init; } = ReferenceEpochs;

    /// <summary>Optimiser steps per epoch (Hermes: 400 nominal, 401 in practice).</summary>
    public int StepsPerEpoch { get; init; } = ReferenceStepsPerEpoch;

    /// <summary>Seed of the torch generator, set when a run starts from step 0 (a resumed run restores the saved state).</summary>
    public long Seed { get; init; } = DefaultSeed;

    /// <summary>Largest EMA decay α (0.99); the EMA is kept only when the trainer is given an averaged model.</summary>
    public double EmaDecay { get; init; } = ReferenceEmaDecay;

    /// <summary>Validate after every epoch e with (e + 1) divisible by this (Hermes: 25); 0 disables periodic validation.</summary>
    public int ValidateEveryEpochs { get; init; } = 25;

    /// <summary>Also validate after each of the last this many epochs (Hermes: 20).</summary>
    public int ValidateLastEpochs { get; init; } = 20;

    /// <summary>
    /// Folder for <c>latest.safetensors</c> (after every <see cref="CheckpointEveryEpochs"/> epochs and at the end) and
    /// <c>best.safetensors</c> (when the validation mean Dice is ≥ the best so far); <see langword="null"/>: no checkpoints.
    /// </summary>
    public string? CheckpointDirectory { get; init; }

    /// <summary>Write <c>latest.safetensors</c> every this many epochs.</summary>
    public int CheckpointEveryEpochs { get; init; } = 1;

    /// <summary>Path of the JSON-lines metrics log (one object per step and per validation); <see langword="null"/>: none.</summary>
    public string? MetricsLogPath { get; init; }

    /// <summary>Task vocabulary (names by task index), saved with checkpoints and checked when resuming; empty: not recorded.</summary>
    public IReadOnlyList<string> Tasks { get; init; } = [];

    /// <summary>Modality vocabulary (names by modality index), saved with checkpoints and checked when resuming.</summary>
    public IReadOnlyList<string> Modalities { get; init; } = [];

    /// <summary>
    /// LibTorch intra-op threads for training and validation, applied on the training thread before every step and
    /// validation (with OpenMP builds the setting is per OS thread). 0, the default: every core of the machine
    /// (<see cref="Environment.ProcessorCount"/>). A run is bit-reproducible for a given thread count; a different count
    /// changes the order of float32 reductions and so the rounding (docs/training.md, "Threads and determinism").
    /// </summary>
    public int Threads { get; init; }

    /// <summary>The intra-op thread count the trainer applies: <see cref="Threads"/>, or the core count when it is 0.</summary>
    public int EffectiveThreads => Threads > 0 ? Threads : Environment.ProcessorCount;

    /// <summary>Total number of optimiser steps of the run.</summary>
    public long TotalSteps => (long)Epochs * StepsPerEpoch;

    /// <summary>Checks every value.</summary>
    /// <exception cref="ArgumentOutOfRangeException">A value is out of range; the message names it.</exception>
    public void Validate()
    {
        OptionCheck.Require(nameof(TrainerOptions), Epochs >= 1, nameof(Epochs), Epochs, "≥ 1");
        OptionCheck.Require(nameof(TrainerOptions), StepsPerEpoch >= 1, nameof(StepsPerEpoch), StepsPerEpoch, "≥ 1");
        OptionCheck.Require(nameof(TrainerOptions), EmaDecay is >= 0 and < 1, nameof(EmaDecay), EmaDecay, "in [0, 1)");
        OptionCheck.Require(nameof(TrainerOptions), ValidateEveryEpochs >= 0, nameof(ValidateEveryEpochs), ValidateEveryEpochs, "≥ 0");
        OptionCheck.Require(nameof(TrainerOptions), ValidateLastEpochs >= 0, nameof(ValidateLastEpochs), ValidateLastEpochs, "≥ 0");
        OptionCheck.Require(nameof(TrainerOptions), Threads >= 0, nameof(Threads), Threads, "≥ 0");
        OptionCheck.Require(nameof(TrainerOptions), CheckpointEveryEpochs >= 1, nameof(CheckpointEveryEpochs), CheckpointEveryEpochs, "≥ 1");
        ArgumentNullException.ThrowIfNull(Tasks, nameof(Tasks));
        ArgumentNullException.ThrowIfNull(Modalities, nameof(Modalities));
    }

    /// <summary>Whether validation runs after epoch <paramref name="epoch"/> (0-based).</summary>
    /// <param name="epoch">The epoch just finished.</param>
    public bool ValidatesAfter(int epoch) =>
        (ValidateEveryEpochs > 0 && (epoch + 1) % ValidateEveryEpochs == 0) || epoch >= Epochs - ValidateLastEpochs;
}
