namespace Hermes.Cli.Tests.Experiments;

/// <summary>
/// Experiment runs seed LibTorch's process-wide generator before building their model; running them alone keeps
/// concurrently running tests from drawing from it in between (the quick run's Dice depends on its initial weights).
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class SerialExperimentCollection
{
    /// <summary>The collection name.</summary>
    public const string Name = "Serial experiment runs";
}
