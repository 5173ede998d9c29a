using Hermes.Abstractions;
using Hermes.Checkpoints;
using Hermes.Data;
using Microsoft.Extensions.Options;

namespace Hermes.DependencyInjection;

/// <summary>The default <see cref="ISegmenterFactory"/>: the registered architecture named by the options, sized to the task catalog.</summary>
/// <param name="options">The options monitor.</param>
/// <param name="architectures">The registered architectures.</param>
/// <param name="catalog">The task catalog.</param>
public sealed class SegmenterFactory(IOptionsMonitor<HermesOptions> options, IEnumerable<IModelArchitecture> architectures, TaskCatalog catalog) : ISegmenterFactory
{
    /// <inheritdoc />
    public UniversalSegmenter Create(string? name = null)
    {
        var o = options.Get(name ?? Options.DefaultName);
        var architecture = architectures.LastOrDefault(a => string.Equals(a.Name, o.Backbone, StringComparison.OrdinalIgnoreCase))
            ?? throw new InvalidOperationException($"Hermes options '{name ?? "(default)"}': no architecture named '{o.Backbone}' is registered.");
        var model = architecture.Create(o, catalog.Vocabulary.ModelTaskCount, catalog.Vocabulary.ModelModalityCount);
        if (o.Weights is not null)
        {
            try
            {
                var state = WeightFile.Load(o.Weights);
                try
                {
                    StateDictLoader.Load(model, state);
                }
                finally
                {
                    foreach (var tensor in state.Values)
                    {
                        tensor.Dispose();
                    }
                }
            }
            catch
            {
                model.Dispose();
                throw;
            }
        }

        return model;
    }
}
