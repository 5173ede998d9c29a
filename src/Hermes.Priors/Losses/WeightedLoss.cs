using Hermes.Abstractions;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Priors.Losses;

/// <summary>A weighted sum of loss terms, itself a loss term; <see cref="ComputeTerms"/> also reports each term.</summary>
public sealed class WeightedLoss : ILossTerm
{
    private readonly (ILossTerm Term, double Weight)[] terms;

    /// <summary>Combines terms with weights.</summary>
    /// <param name="name">Name of the combined term.</param>
    /// <param name="terms">The terms and their weights.</param>
    public WeightedLoss(string name, params (ILossTerm Term, double Weight)[] terms)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentNullException.ThrowIfNull(terms);
        if (terms.Length == 0)
        {
            throw new ArgumentException("A weighted loss needs at least one term.", nameof(terms));
        }

        foreach (var (term, weight) in terms)
        {
            ArgumentNullException.ThrowIfNull(term, nameof(terms));
            if (!double.IsFinite(weight))
            {
                throw new ArgumentOutOfRangeException(nameof(terms), weight, $"Weight of term '{term.Name}' must be finite.");
            }
        }

        Name = name;
        this.terms = terms;
    }

    /// <inheritdoc/>
    public string Name { get; }

    /// <summary>The terms and their weights.</summary>
    public IReadOnlyList<(ILossTerm Term, double Weight)> Terms => terms;

    /// <inheritdoc/>
    public Tensor Compute(LossInput input)
    {
        var (total, parts) = ComputeTerms(input);
        foreach (var p in parts.Values)
        {
            p.Dispose();
        }

        return total;
    }

    /// <summary>Computes the weighted total and every (unweighted) term by name.</summary>
    /// <param name="input">The batch.</param>
    public (Tensor Total, IReadOnlyDictionary<string, Tensor> Terms) ComputeTerms(LossInput input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var parts = new Dictionary<string, Tensor>();
        Tensor? total = null;
        foreach (var (term, weight) in terms)
        {
            var value = term.Compute(input);
            parts[term.Name] = value;
            using var weighted = value.mul(weight);
            var next = total is null ? weighted.clone() : total.add(weighted);
            total?.Dispose();
            total = next;
        }

        return (total!, parts);
    }
}
