namespace Hermes.Transfer;

/// <summary>What fine-tuning trains, and how fast.</summary>
/// <remarks>
/// Presets: <see cref="PriorsOnly"/> (backbone and heads frozen), <see cref="PriorsAndHeads"/> (backbone frozen) and
/// <see cref="Full"/> (everything trains, the backbone at a lower learning rate). Frozen parameters get
/// <c>requires_grad = false</c> and are left out of the optimiser, so they stay bit-identical.
/// </remarks>
public sealed record FineTuneOptions
{
    /// <summary>Priors train; backbone and heads are frozen.</summary>
    public static FineTuneOptions PriorsOnly { get; } = new() { Trainable = ModelParts.Priors };

    /// <summary>Priors and heads train; the backbone is frozen.</summary>
    public static FineTuneOptions PriorsAndHeads { get; } = new() { Trainable = ModelParts.Priors | ModelParts.Heads };

    /// <summary>The parts that train (the rest is frozen).</summary>
    public ModelParts Trainable { get; init; } = ModelParts.All;

    /// <summary>Learning rate of the backbone relative to the rest (used when the backbone trains); 1 = same rate.</summary>
    public double BackboneLearningRateScale { get; init; } = 1.0;

    /// <summary>
    /// Global gradient-norm limit over all trainable parameters (Hermes: 1.0), applied before the per-group optimisers
    /// step; <see cref="double.PositiveInfinity"/> for none. Give the group optimisers no clipping of their own.
    /// </summary>
    public double MaxGradNorm { get; init; } = 1.0;

    /// <summary>
    /// When set, only these task ids' prior rows train (−1 = the null token); every other row of every task table stays
    /// bit-identical. With <see cref="TrainableModalityIds"/> = [] this keeps a model's outputs for its old tasks exactly
    /// (as long as they are requested without the new ones), e.g. <c>TrainableTaskIds = extended.NewTaskIds</c>.
    /// </summary>
    public IReadOnlyList<long>? TrainableTaskIds { get; init; }

    /// <summary>When set, only these modality ids' prior rows train (−1 = the unknown slot); the other rows stay bit-identical.</summary>
    public IReadOnlyList<long>? TrainableModalityIds { get; init; }

    /// <summary>Full fine-tune with the backbone at <paramref name="backboneScale"/> × the learning rate.</summary>
    /// <param name="backboneScale">The backbone's relative learning rate (for example 0.1).</param>
    /// <returns>The options.</returns>
    public static FineTuneOptions Full(double backboneScale = 0.1) => new() { BackboneLearningRateScale = backboneScale };

    /// <summary>Checks every value.</summary>
    /// <exception cref="ArgumentException">A value is out of range or inconsistent.</exception>
    public void Validate()
    {
        if (Trainable == ModelParts.None || (Trainable & ~ModelParts.All) != 0)
        {
            throw new ArgumentException($"FineTuneOptions.Trainable = {Trainable}: at least one of Priors, Heads, Backbone must train.");
        }

        if (!double.IsFinite(BackboneLearningRateScale) || BackboneLearningRateScale <= 0)
        {
            throw new ArgumentException($"FineTuneOptions.BackboneLearningRateScale = {BackboneLearningRateScale} must be finite and > 0 (freeze the backbone instead of a zero rate).");
        }

        if (!(MaxGradNorm > 0))
        {
            throw new ArgumentException($"FineTuneOptions.MaxGradNorm = {MaxGradNorm} must be > 0 (or +∞ for no clipping).");
        }

        if ((TrainableTaskIds is not null || TrainableModalityIds is not null) && !Trainable.HasFlag(ModelParts.Priors))
        {
            throw new ArgumentException("FineTuneOptions: trainable prior rows were given but the priors are frozen.");
        }
    }
}
