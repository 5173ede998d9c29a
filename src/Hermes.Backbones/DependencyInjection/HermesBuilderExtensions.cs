using Hermes.DependencyInjection;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Hermes.Backbones.DependencyInjection;

/// <summary>Selects the stock Hermes architectures in an <see cref="IHermesBuilder"/>.</summary>
public static class HermesBuilderExtensions
{
    /// <summary>Registers Hermes-R (<c>resunet</c>) and the Hermes loss, and selects it when the options name no backbone.</summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IHermesBuilder UseResUNet(this IHermesBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<ILossFactory, HermesLossFactory>();
        return builder.AddBackbone<ResUNetArchitecture>().UseBackbone(ResUNetArchitecture.ArchitectureName);
    }

    /// <summary>Registers Hermes-M (<c>medformer</c>) and the Hermes loss, and selects it when the options name no backbone.</summary>
    /// <param name="builder">The builder.</param>
    /// <returns>The builder.</returns>
    public static IHermesBuilder UseMedFormer(this IHermesBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.TryAddSingleton<ILossFactory, HermesLossFactory>();
        return builder.AddBackbone<MedFormerArchitecture>().UseBackbone(MedFormerArchitecture.ArchitectureName);
    }
}
