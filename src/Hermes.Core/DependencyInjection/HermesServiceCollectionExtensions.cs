using Hermes.Data;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Hermes.DependencyInjection;

/// <summary>Registers Hermes.NET in a service collection.</summary>
public static class HermesServiceCollectionExtensions
{
    /// <summary>
    /// Adds the Hermes services (<see cref="ISegmenterFactory"/>, <see cref="ITrainerFactory"/>, <see cref="IPredictorFactory"/>,
    /// the built-in task catalog unless one is registered) and the default <see cref="HermesOptions"/>, validated at start-up.
    /// </summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configure">Configures the options; optional.</param>
    /// <returns>A builder to choose the architecture (<c>UseResUNet()</c>, …) and add extensions.</returns>
    public static IHermesBuilder AddHermes(this IServiceCollection services, Action<HermesOptions>? configure = null) =>
        services.AddHermes(Options.DefaultName, configure);

    /// <summary>Adds the Hermes services and the default options bound from the configuration section <c>Hermes</c>.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="configuration">The configuration root (or any configuration holding a <c>Hermes</c> section).</param>
    /// <returns>The builder.</returns>
    public static IHermesBuilder AddHermes(this IServiceCollection services, IConfiguration configuration)
    {
        ArgumentNullException.ThrowIfNull(configuration);
        return services.AddHermes(Options.DefaultName, configuration.GetSection(HermesOptions.SectionName));
    }

    /// <summary>Adds named options for one of several models in the application, configured in code.</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The options name (pass it to the factories).</param>
    /// <param name="configure">Configures the options; optional.</param>
    /// <returns>The builder of that model.</returns>
    public static IHermesBuilder AddHermes(this IServiceCollection services, string name, Action<HermesOptions>? configure)
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(name);
        AddCore(services);
        var options = services.AddOptions<HermesOptions>(name).ValidateOnStart();
        if (configure is not null)
        {
            options.Configure(configure);
        }

        return new HermesBuilder(services, name);
    }

    /// <summary>Adds named options for one of several models, bound from a configuration section (e.g. <c>Hermes:Models:ct</c>).</summary>
    /// <param name="services">The service collection.</param>
    /// <param name="name">The options name.</param>
    /// <param name="section">The section holding the options.</param>
    /// <returns>The builder of that model.</returns>
    public static IHermesBuilder AddHermes(this IServiceCollection services, string name, IConfiguration section)
    {
        ArgumentNullException.ThrowIfNull(section);
        var builder = services.AddHermes(name, (Action<HermesOptions>?)null);
        services.AddOptions<HermesOptions>(name).Configure(o =>
        {
            var choices = ConfiguredChoice.Problems(section, typeof(HermesOptions), HermesOptionsValidator.PathOf(name));
            if (choices.Count > 0)
            {
                throw new OptionsValidationException(name, typeof(HermesOptions), choices);
            }

            section.Bind(o);
            // The binder appends configured array items to the default [128, 128, 128]; a configured size replaces it.
            if (section.GetSection(nameof(HermesOptions.PatchSize)).Get<int[]>() is { } patch)
            {
                o.PatchSize = patch;
            }
        });
        return builder;
    }

    private static void AddCore(IServiceCollection services)
    {
        services.TryAddSingleton(_ => TaskCatalog.CreateHermes());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<HermesOptions>, HermesOptionsValidator>());
        services.TryAddSingleton<ISegmenterFactory, SegmenterFactory>();
        services.TryAddSingleton<ITrainerFactory, TrainerFactory>();
        services.TryAddSingleton<IPredictorFactory, PredictorFactory>();
    }
}
