namespace Hermes.Checkpoints;

/// <summary>What loading a state dict into a module found.</summary>
/// <param name="Missing">Module parameters and buffers absent from the state dict.</param>
/// <param name="Unexpected">State-dict keys the module does not have.</param>
/// <param name="Mismatched">Keys present on both sides with different shapes (nothing was copied for them).</param>
/// <param name="Loaded">The number of tensors copied into the module.</param>
public sealed record StateDictLoadReport(
    IReadOnlyList<string> Missing,
    IReadOnlyList<string> Unexpected,
    IReadOnlyList<StateDictShapeMismatch> Mismatched,
    int Loaded)
{
    /// <summary>True when every module tensor was loaded and every state-dict key was used.</summary>
    public bool IsExact => Missing.Count == 0 && Unexpected.Count == 0 && Mismatched.Count == 0;

    /// <summary>A readable summary listing up to <paramref name="maxPerList"/> keys of each kind, with counts.</summary>
    /// <param name="maxPerList">How many keys of each kind to list.</param>
    /// <returns>The summary.</returns>
    public string Describe(int maxPerList = 20)
    {
        var lines = new List<string> { $"{Loaded} loaded, {Missing.Count} missing, {Unexpected.Count} unexpected, {Mismatched.Count} mis-shaped." };
        Add(lines, "Missing", Missing, maxPerList);
        Add(lines, "Unexpected", Unexpected, maxPerList);
        Add(lines, "Mis-shaped", Mismatched.Select(m => m.ToString()).ToList(), maxPerList);
        return string.Join(Environment.NewLine, lines);
    }

    private static void Add(List<string> lines, string title, IReadOnlyList<string> keys, int max)
    {
        if (keys.Count == 0)
        {
            return;
        }

        lines.Add($"{title} ({keys.Count}): {string.Join(", ", keys.Take(max))}{(keys.Count > max ? $", … and {keys.Count - max} more" : string.Empty)}");
    }
}

/// <summary>A key whose tensor shape differs between a module and a state dict.</summary>
/// <param name="Key">The key.</param>
/// <param name="Expected">The module's shape.</param>
/// <param name="Actual">The state dict's shape.</param>
public sealed record StateDictShapeMismatch(string Key, IReadOnlyList<long> Expected, IReadOnlyList<long> Actual)
{
    /// <inheritdoc/>
    public override string ToString() => $"{Key} (module [{string.Join(", ", Expected)}], file [{string.Join(", ", Actual)}])";
}
