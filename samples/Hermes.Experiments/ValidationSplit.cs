namespace Hermes.Experiments;

/// <summary>
/// The fixed split of one dataset. <see cref="EveryNth"/> sorts the case ids ordinally and sends cases n−1, 2n−1, …
/// (every n-th) to validation; <see cref="Cases"/> names the validation cases; <see cref="TrainingCases"/> scores the
/// training cases themselves (resubstitution, for datasets with a single case — reported as such).
/// </summary>
public sealed record ValidationSplit
{
    /// <summary>Every n-th case (of the ordinally sorted case ids) is a validation case; 0: off.</summary>
    public int EveryNth { get; init; }

    /// <summary>Explicit validation case ids.</summary>
    public IReadOnlyList<string> Cases { get; init; } = [];

    /// <summary>Score the training cases (no held-out case; the number measures fitting, not generalisation).</summary>
    public bool TrainingCases { get; init; }

    /// <summary>Whether the dataset holds cases out of training.</summary>
    public bool HoldsOut => EveryNth > 0 || Cases.Count > 0;

    /// <summary>Splits case ids into training and validation.</summary>
    /// <param name="caseIds">The dataset's case ids (any order; repeated ids — one image with several label maps — stay together).</param>
    /// <returns>The validation ids (the rest train).</returns>
    public IReadOnlySet<string> ValidationIds(IEnumerable<string> caseIds)
    {
        var ids = caseIds.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
        if (EveryNth > 0)
        {
            return ids.Where((_, i) => i % EveryNth == EveryNth - 1).ToHashSet(StringComparer.Ordinal);
        }

        var missing = Cases.Where(c => !ids.Contains(c, StringComparer.Ordinal)).ToList();
        return missing.Count > 0
            ? throw new InvalidDataException($"Validation cases {string.Join(", ", missing)} are not among the dataset's cases ({string.Join(", ", ids)}).")
            : Cases.ToHashSet(StringComparer.Ordinal);
    }

    /// <summary>Checks the split.</summary>
    /// <param name="source">The experiment file.</param>
    /// <param name="dataset">The dataset name.</param>
    /// <exception cref="InvalidDataException">More than one rule is set, or n is negative.</exception>
    public void Validate(string source, string dataset)
    {
        var rules = (EveryNth > 0 ? 1 : 0) + (Cases.Count > 0 ? 1 : 0) + (TrainingCases ? 1 : 0);
        if (EveryNth < 0 || EveryNth == 1 || rules > 1)
        {
            throw new InvalidDataException($"{source}: dataset '{dataset}': Validation must set at most one of EveryNth (≥ 2), Cases, TrainingCases.");
        }
    }
}
