namespace Hermes.DependencyInjection;

/// <summary>Training settings of <see cref="HermesOptions"/> (section <c>Hermes:Training</c>).</summary>
public sealed class HermesTrainingOptions
{
    /// <summary>The optimiser: <c>lamb</c> (Hermes) or <c>adamw</c>.</summary>
    public string Optimizer { get; set; } = "lamb";

    /// <summary>Peak learning rate (finite, positive).</summary>
    public double LearningRate { get; set; } = 0.002;

    /// <summary>Warm-up length in epochs (≥ 0).</summary>
    public double WarmupEpochs { get; set; } = 5;

    /// <summary>Epochs (≥ 1).</summary>
    public int Epochs { get; set; } = 200;

    /// <summary>Optimiser steps per epoch (≥ 1).</summary>
    public int StepsPerEpoch { get; set; } = 400;

    /// <summary>Samples per batch (≥ 1).</summary>
    public int BatchSize { get; set; } = 2;

    /// <summary>Decay of the weight EMA in [0, 1); 0 disables the EMA model.</summary>
    public double EmaDecay { get; set; } = 0.99;

    /// <summary>Seed of the run.</summary>
    public long Seed { get; set; } = 42;

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
