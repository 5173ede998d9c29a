using Hermes.Abstractions;
using Hermes.DependencyInjection;
using Hermes.Priors.Losses;

namespace Hermes.Backbones.DependencyInjection;

/// <summary>The Hermes objective (BCE + Dice on the posteriors, 0.01 × modality cross-entropy) as the default loss.</summary>
public sealed class HermesLossFactory : ILossFactory
{
    /// <inheritdoc />
    public IReadOnlyList<(ILossTerm Term, double Weight)> Create(int taskCount) => HermesLoss.Create(taskCount).Terms;
}
