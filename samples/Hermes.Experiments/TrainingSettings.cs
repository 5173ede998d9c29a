using Hermes.Training;
using TorchSharp.Modules;

namespace Hermes.Experiments;

/// <summary>How an experiment trains.</summary>
public sealed record TrainingSettings
{
    /// <summary>Optimiser steps of the run.</summary>
    public int Steps { get; init; } = 2000;

    /// <summary>Steps per epoch (the schedule's and the validation's unit).</summary>
    public int StepsPerEpoch { get; init; } = 100;

    /// <summary>Patches per step.</summary>
    public int BatchSize { get; init; } = 2;

    /// <summary>The optimiser (<c>"adamw"</c> or <c>"lamb"</c> in the JSON).</summary>
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.AdamW;

    /// <summary>
    /// Global L2 gradient-norm clip applied before the optimiser's moments (null: 12 for AdamW, as these experiments
    /// first ran; the reference's 1.0 for LAMB).
    /// </summary>
    public double? MaxGradNorm { get; init; }

    /// <summary>The clip in effect: <see cref="MaxGradNorm"/>, or the optimiser's default.</summary>
    public double EffectiveMaxGradNorm => MaxGradNorm ?? (Optimizer == OptimizerKind.Lamb ? 1.0 : 12.0);

    /// <summary>The optimiser these settings name (AdamW or LAMB) with their lr, weight decay and clip.</summary>
    /// <param name="parameters">The parameters to train.</param>
    /// <returns>The optimiser (caller disposes).</returns>
    public ITrainingOptimizer CreateOptimizer(IEnumerable<Parameter> parameters) => Optimizer == OptimizerKind.Lamb
        ? new LambOptimizer(parameters, new LambOptions { LearningRate = LearningRate, WeightDecay = WeightDecay, MaxGradNorm = EffectiveMaxGradNorm })
        : new AdamWOptimizer(parameters, new AdamWOptions { LearningRate = LearningRate, WeightDecay = WeightDecay, MaxGradNorm = EffectiveMaxGradNorm });

    /// <summary>Peak learning rate.</summary>
    public double LearningRate { get; init; } = 2e-3;

    /// <summary>Decoupled weight decay.</summary>
    public double WeightDecay { get; init; } = 1e-4;

    /// <summary>Exponential warm-up length in epochs, then poly (0.9) decay to 0 at the last step.</summary>
    public double WarmupEpochs { get; init; } = 1;

    /// <summary>Largest EMA decay of the weights (0: no EMA; the trained weights are evaluated).</summary>
    public double EmaDecay { get; init; } = 0.99;

    /// <summary>Probability that a patch is centred on a foreground voxel (nnU-Net-style oversampling).</summary>
    public double ForegroundRatio { get; init; } = 0.5;

    /// <summary>Seed of the weights, the batches and the augmentation.</summary>
    public long Seed { get; init; } = 42;

    /// <summary>LibTorch intra-op threads for training (0, the default: every core).</summary>
    public int Threads { get; init; }

    /// <summary>Validate (Dice through the volume predictor) after every this many epochs, for the training curve; 0: only at the end.</summary>
    public int ValidateEveryEpochs { get; init; } = 2;

    /// <summary>Spatial augmentation probability (scale ±15 %, rotation ±15°, shear 0.05); 0 disables augmentation.</summary>
    public double SpatialAugmentation { get; init; }

    /// <summary>Probability of each intensity augmentation (brightness, shift, gamma, contrast, blur, noise); 0: none.</summary>
    public double IntensityAugmentation { get; init; }

    /// <summary>Datasets whose held-out cases the periodic validation scores (empty: all held-out cases).</summary>
    public IReadOnlyList<string> CurveDatasets { get; init; } = [];
}
