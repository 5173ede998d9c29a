using Hermes.Abstractions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Hermes.DependencyInjection;

/// <summary>The default <see cref="IHermesBuilder"/>.</summary>
/// <param name="services">The service collection.</param>
/// <param name="name">The options name.</param>
public sealed class HermesBuilder(IServiceCollection services, string name) : IHermesBuilder
{
    /// <inheritdoc />
    public IServiceCollection Services { get; } = services ?? throw new ArgumentNullException(nameof(services));

    /// <inheritdoc />
    public string Name { get; } = name ?? throw new ArgumentNullException(nameof(name));

    /// <inheritdoc />
    public IHermesBuilder AddBackbone<T>()
        where T : class, IModelArchitecture
    {
        Services.TryAddEnumerable(ServiceDescriptor.Singleton<IModelArchitecture, T>());
        return this;
    }

    /// <inheritdoc />
    public IHermesBuilder AddPriorPool<T>()
        where T : class, IPriorPool
    {
        Services.AddTransient<IPriorPool, T>();
        return this;
    }

    /// <inheritdoc />
    public IHermesBuilder AddFusion<T>()
        where T : class, IPriorFusion
    {
        Services.AddTransient<IPriorFusion, T>();
        return this;
    }

    /// <inheritdoc />
    public IHermesBuilder AddLoss<T>()
        where T : class, ILossTerm
    {
        Services.TryAddEnumerable(ServiceDescriptor.Transient<ILossTerm, T>());
        return this;
    }

    /// <inheritdoc />
    public IHermesBuilder UseBackbone(string name)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Services.PostConfigure<HermesOptions>(Name, o => o.Backbone ??= name);
        return this;
    }
}
