using Hermes.Abstractions;
using Hermes.Priors.Layers;
using Hermes.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hermes.Priors.Heads;

/// <summary>
/// Modality classifier: concatenates the modality tokens (those after the T task tokens) of every posterior along
/// features, LayerNorm (eps 1e-5), averages over tokens and applies Mlp(in→in→mn).
/// </summary>
/// <remarks>State-dict names: <c>norm</c>, <c>classifier</c> (PyTorch default init).</remarks>
public sealed class ModalityClassifier : nn.Module<IReadOnlyList<Tensor>, int, Tensor>, IModalityHead
{
#pragma warning disable IDE1006, SA1300 // field names are state-dict keys
    private readonly LayerNorm norm;
    private readonly Mlp classifier;
#pragma warning restore IDE1006, SA1300

    /// <summary>Creates the classifier.</summary>
    /// <param name="posteriorWidth">Sum of the posterior widths (34·C in Hermes).</param>
    /// <param name="modalityCount">Number of modality classes mn.</param>
    public ModalityClassifier(int posteriorWidth, int modalityCount)
        : base(nameof(ModalityClassifier))
    {
        HermesRuntime.EnsureInitialized();
        ArgumentOutOfRangeException.ThrowIfLessThan(posteriorWidth, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(modalityCount, 1);
        ModalityCount = modalityCount;
        PosteriorWidth = posteriorWidth;
        norm = nn.LayerNorm([posteriorWidth], 1e-5);
        classifier = new Mlp(posteriorWidth, posteriorWidth, modalityCount);
        RegisterComponents();
    }

    /// <inheritdoc/>
    public int ModalityCount { get; }

    /// <summary>Sum of the posterior widths this head expects.</summary>
    public int PosteriorWidth { get; }

    /// <inheritdoc/>
    public Tensor Predict(IReadOnlyList<Tensor> posteriors, int taskCount) => forward(posteriors, taskCount);

    /// <inheritdoc/>
    public override Tensor forward(IReadOnlyList<Tensor> posteriors, int taskCount)
    {
        ArgumentNullException.ThrowIfNull(posteriors);
        using var scope = NewDisposeScope();
        var tokens = cat(posteriors.Select(p => p.narrow(1, taskCount, p.shape[1] - taskCount)).ToArray(), -1);
        var pooled = norm.forward(tokens).mean([1]);
        return classifier.forward(pooled).MoveToOuterDisposeScope();
    }
}
