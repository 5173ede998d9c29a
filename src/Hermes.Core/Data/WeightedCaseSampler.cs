using System.Globalization;

namespace Hermes.Data;

/// <summary>
/// Draws case indices with replacement, with probability proportional to a weight per case (the reference's
/// <c>WeightedRandomSampler</c>: a case's weight is its dataset's sample weight, so a dataset's share of draws is its weight
/// times its case count, normalised).
/// </summary>
public sealed class WeightedCaseSampler
{
    private readonly double[] cumulative;

    /// <summary>Creates the sampler.</summary>
    /// <param name="weights">One finite, non-negative weight per case; at least one positive.</param>
    public WeightedCaseSampler(IReadOnlyList<double> weights)
    {
        ArgumentNullException.ThrowIfNull(weights);
        cumulative = new double[weights.Count];
        var total = 0.0;
        for (var i = 0; i < weights.Count; i++)
        {
            if (!double.IsFinite(weights[i]) || weights[i] < 0)
            {
                throw new ArgumentException($"Case weight {i} is {weights[i].ToString(CultureInfo.InvariantCulture)}; weights must be finite and ≥ 0.", nameof(weights));
            }

            total += weights[i];
            cumulative[i] = total;
        }

        if (total <= 0)
        {
            throw new ArgumentException("At least one case weight must be positive.", nameof(weights));
        }

        Probabilities = [.. weights.Select(w => w / total)];
    }

    /// <summary>Each case's probability of being drawn.</summary>
    public IReadOnlyList<double> Probabilities { get; }

    /// <summary>Draws one case index.</summary>
    /// <param name="random">The generator.</param>
    /// <returns>The index.</returns>
    public int Next(Random random)
    {
        ArgumentNullException.ThrowIfNull(random);
        var u = random.NextDouble() * cumulative[^1];
        var i = Array.BinarySearch(cumulative, u);
        i = i < 0 ? ~i : i + 1;
        i = Math.Min(i, cumulative.Length - 1);
        while (i < cumulative.Length - 1 && cumulative[i] == (i == 0 ? 0 : cumulative[i - 1]))
        {
            i++; // never land on a zero-weight case
        }

        return i;
    }
}
