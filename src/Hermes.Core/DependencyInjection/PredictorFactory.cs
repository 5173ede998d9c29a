using Hermes.Abstractions;
using Hermes.Data;
using Hermes.Inference;
using Microsoft.Extensions.Options;

namespace Hermes.DependencyInjection;

/// <summary>The default <see cref="IPredictorFactory"/>.</summary>
/// <param name="options">The options monitor.</param>
/// <param name="catalog">The task catalog (task names → prior indices).</param>
public sealed class PredictorFactory(IOptionsMonitor<HermesOptions> options, TaskCatalog catalog) : IPredictorFactory
{
    /// <inheritdoc />
    public SegmentationPredictor Create(UniversalSegmenter model, string? name = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        var o = options.Get(name ?? Options.DefaultName);
        var window = new SlidingWindowOptions
        {
            WindowSize = (o.PatchSize[0], o.PatchSize[1], o.PatchSize[2]),
            Overlap = o.Inference.Overlap,
            WindowsPerBatch = o.Inference.WindowsPerBatch,
            MirrorAxes = o.Inference.Mirror ? [0, 1, 2] : [],
        };
        return new SegmentationPredictor(model, window, catalog.Vocabulary, o.Inference.Threshold);
    }
}
