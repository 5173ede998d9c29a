using Hermes.Data;
using Hermes.Training;

namespace Hermes.DependencyInjection;

/// <summary>
/// Training settings of <see cref="HermesOptions"/> (section <c>Hermes:Training</c>). The defaults are the reference's,
/// declared once in the training types (<see cref="TrainerOptions"/>, <see cref="WarmupDecayOptions"/>,
/// <see cref="TrainingBatchOptions"/>) and taken from there.
/// </summary>
public sealed class HermesTrainingOptions
{
    /// <summary>The optimiser: <see cref="OptimizerKind.Lamb"/> (Hermes) or <see cref="OptimizerKind.AdamW"/>; <c>lamb</c> or <c>adamw</c> in configuration.</summary>
    public OptimizerKind Optimizer { get; set; } = OptimizerKind.Lamb;

    /// <summary>Peak learning rate (finite, positive).</summary>
    public double LearningRate { get; set; } = WarmupDecayOptions.ReferenceLearningRate;

    /// <summary>Warm-up length in epochs (≥ 0).</summary>
    public double WarmupEpochs { get; set; } = WarmupDecayOptions.ReferenceWarmupEpochs;

    /// <summary>Epochs (≥ 1).</summary>
    public int Epochs { get; set; } = TrainerOptions.ReferenceEpochs;

    /// <summary>Optimiser steps per epoch (≥ 1).</summary>
    public int StepsPerEpoch { get; set; } = TrainerOptions.ReferenceStepsPerEpoch;

    /// <summary>Samples per batch (≥ 1).</summary>
    public int BatchSize { get; set; } = TrainingBatchOptions.ReferenceBatchSize;

    /// <summary>Decay of the weight EMA in [0, 1); 0 disables the EMA model.</summary>
    public double EmaDecay { get; set; } = TrainerOptions.ReferenceEmaDecay;

    /// <summary>Seed of the run.</summary>
    public long Seed { get; set; } = TrainerOptions.DefaultSeed;

    /// <summary>The data manifest (<c>manifest.tsv</c>: dataset, case_id, image, label); optional until training.</summary>
    public string? Manifest { get; set; }

    /// <summary>Datasets of the manifest to train on (keys of the task catalog).</summary>
    public IList<string> Datasets { get; set; } = [];

    /// <summary>
    /// Datasets of your own, with your own task names (MSD/nnU-Net folders or manifest rows), trained on together with
    /// <see cref="Datasets"/>; <see cref="HermesDatasetOptions.Declare"/> adds each to the task catalog.
    /// </summary>
    public IList<HermesDatasetOptions> CustomDatasets { get; set; } = [];

    /// <summary>Folder for checkpoints, the metrics log and the preprocessing cache; optional.</summary>
    public string? OutputDirectory { get; set; }
}
