namespace Hermes.Abstractions;

/// <summary>
/// A backbone that fuses priors inside its own stages (MedFormer) and reports their posteriors through
/// <see cref="IStageHook.AddPosterior"/>.
/// </summary>
public interface IPriorFusingBackbone : IHierarchicalBackbone
{
    /// <summary>Widths of the posteriors the backbone adds, in the order it adds them.</summary>
    IReadOnlyList<int> PosteriorWidths { get; }
}
