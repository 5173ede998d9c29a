using Hermes.Abstractions;

namespace Hermes.DependencyInjection;

/// <summary>Creates the training loss of a model with a given task vocabulary size.</summary>
public interface ILossFactory
{
    /// <summary>The weighted loss terms.</summary>
    /// <param name="taskCount">The model's task table size.</param>
    IReadOnlyList<(ILossTerm Term, double Weight)> Create(int taskCount);
}
