using Hermes.Abstractions;

namespace Hermes.Priors.Losses;

/// <summary>The Hermes training objective, composed from loss terms.</summary>
public static class HermesLoss
{
    /// <summary>
    /// (BCE + Dice) on the final logits — or Σ_j w_j·(BCE + Dice) over [final, aux…] when
    /// <paramref name="deepSupervisionWeights"/> is given — plus <paramref name="modalityWeight"/>·CE_mod.
    /// </summary>
    /// <param name="taskCount">Task vocabulary size tn.</param>
    /// <param name="modalityWeight">Weight of the modality cross-entropy (0.01 in Hermes); 0 drops the term.</param>
    /// <param name="deepSupervisionWeights">Weights for [final, aux_1, …] (Hermes-M: [0.5, 0.5]); null for none.</param>
    public static WeightedLoss Create(int taskCount, double modalityWeight = 0.01, IReadOnlyList<double>? deepSupervisionWeights = null)
    {
        var perOutput = new WeightedLoss("seg",
            (new MaskedBinaryCrossEntropyLoss(taskCount), 1.0),
            (new AdaptiveBinaryDiceLoss(taskCount), 1.0));
        ILossTerm seg = deepSupervisionWeights is null ? perOutput : new DeepSupervisionLoss(perOutput, [.. deepSupervisionWeights]);
        return modalityWeight == 0
            ? new WeightedLoss("total", (seg, 1.0))
            : new WeightedLoss("total", (seg, 1.0), (new ModalityCrossEntropyLoss(), modalityWeight));
    }
}
