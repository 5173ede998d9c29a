using Hermes.Abstractions;

namespace Hermes.DependencyInjection;

/// <summary>Creates models from the (named) <see cref="HermesOptions"/> of the application.</summary>
public interface ISegmenterFactory
{
    /// <summary>
    /// Creates the model the options named <paramref name="name"/> describe; loads <see cref="HermesOptions.Weights"/>
    /// when set.
    /// </summary>
    /// <param name="name">The options name; <see langword="null"/> for the default (unnamed) options.</param>
    UniversalSegmenter Create(string? name = null);
}
