using Hermes.Abstractions;
using Microsoft.Extensions.DependencyInjection;

namespace Hermes.DependencyInjection;

/// <summary>Configures the Hermes services of one (named) model; returned by <c>services.AddHermes(…)</c>.</summary>
public interface IHermesBuilder
{
    /// <summary>The service collection.</summary>
    IServiceCollection Services { get; }

    /// <summary>The options name this builder configures (<see cref="Microsoft.Extensions.Options.Options.DefaultName"/> for the default model).</summary>
    string Name { get; }

    /// <summary>Registers an architecture (a backbone composed with its priors and heads), selectable by <see cref="IModelArchitecture.Name"/>.</summary>
    /// <typeparam name="T">The architecture; constructed by the container (its constructor may take services).</typeparam>
    IHermesBuilder AddBackbone<T>()
        where T : class, IModelArchitecture;

    /// <summary>Registers a prior pool implementation (resolvable as <see cref="IPriorPool"/> by custom architectures).</summary>
    /// <typeparam name="T">The prior pool.</typeparam>
    IHermesBuilder AddPriorPool<T>()
        where T : class, IPriorPool;

    /// <summary>Registers a prior fusion implementation (resolvable as <see cref="IPriorFusion"/> by custom architectures).</summary>
    /// <typeparam name="T">The fusion.</typeparam>
    IHermesBuilder AddFusion<T>()
        where T : class, IPriorFusion;

    /// <summary>Adds a loss term (weight 1); once any is added, trainers use the added terms instead of the architecture's default loss.</summary>
    /// <typeparam name="T">The loss term.</typeparam>
    IHermesBuilder AddLoss<T>()
        where T : class, ILossTerm;

    /// <summary>Selects the architecture of this builder's options when the configuration does not name one.</summary>
    /// <param name="name">The architecture name.</param>
    IHermesBuilder UseBackbone(string name);
}
