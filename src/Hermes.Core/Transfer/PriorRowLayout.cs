namespace Hermes.Transfer;

/// <summary>
/// Where every row of a new prior table (or of the modality head's output) comes from: an old row, or nothing (the new
/// model's own initialisation).
/// </summary>
/// <param name="Source">For each new row, the old row it copies, or −1 to keep the new model's initialisation.</param>
internal sealed record PriorRowLayout(long[] Source)
{
    /// <summary>Rows of the new table.</summary>
    public int Rows => Source.Length;

    /// <summary>
    /// Task table after appending tasks: named ids keep their rows, new tasks take the first unnamed ids (before the
    /// never-trained last id tn − 1, which stays last and unnamed, and the null row, which stays the final row), the
    /// table grows only as much as needed.
    /// </summary>
    public static (PriorRowLayout Layout, int TaskCount, List<string> Names, long[] NewIds) ForTaskExtension(
        int taskCount, IReadOnlyList<string> names, IReadOnlyList<VocabularyAddition> additions)
    {
        var named = names.Count;
        var added = additions.Count;
        var newCount = Math.Max(taskCount, named + added + 1);
        var source = new long[newCount + 1];
        for (var i = 0; i < newCount; i++)
        {
            source[i] = i < named ? i
                : i < named + added ? RowOf(names, additions[i - named].InitFrom, "task")
                : i == newCount - 1 && named < taskCount ? taskCount - 1 // the unused last id keeps its row
                : i < taskCount - 1 ? i // unnamed spare ids keep their rows
                : -1;
        }

        source[newCount] = taskCount; // the null token
        var newNames = names.Concat(additions.Select(a => a.Name)).ToList();
        var ids = Enumerable.Range(named, added).Select(i => (long)i).ToArray();
        return (new PriorRowLayout(source), newCount, newNames, ids);
    }

    /// <summary>
    /// Modality table after appending modalities: the last row (the unknown slot index −1 selects) stays last; new
    /// modalities take the first ids after the named regular ones.
    /// </summary>
    public static (PriorRowLayout Layout, int ModalityCount, List<string> Names, long[] NewIds) ForModalityExtension(
        int modalityCount, IReadOnlyList<string> names, IReadOnlyList<VocabularyAddition> additions)
    {
        var slotNamed = names.Count == modalityCount;
        var regular = slotNamed ? modalityCount - 1 : names.Count;
        var added = additions.Count;
        var newCount = Math.Max(modalityCount, regular + added + 1);
        var source = new long[newCount];
        for (var i = 0; i < newCount; i++)
        {
            source[i] = i < regular ? i
                : i < regular + added ? RowOf(names, additions[i - regular].InitFrom, "modality")
                : i == newCount - 1 ? modalityCount - 1 // the unknown slot
                : i < modalityCount - 1 ? i
                : -1;
        }

        var newNames = names.Take(regular).Concat(additions.Select(a => a.Name)).ToList();
        if (slotNamed)
        {
            newNames.Add(names[^1]);
        }

        var ids = Enumerable.Range(regular, added).Select(i => (long)i).ToArray();
        return (new PriorRowLayout(source), newCount, newNames, ids);
    }

    /// <summary>Task table of a new model filled by name from a pretrained one (null token from null token).</summary>
    public static PriorRowLayout ForTaskTransfer(int targetTaskCount, IReadOnlyList<string> targetNames, int sourceTaskCount,
        IReadOnlyList<string> sourceNames)
    {
        var source = new long[targetTaskCount + 1];
        for (var i = 0; i < targetTaskCount; i++)
        {
            source[i] = i < targetNames.Count ? IndexOf(sourceNames, targetNames[i]) : -1;
        }

        source[targetTaskCount] = sourceTaskCount;
        return new PriorRowLayout(source);
    }

    /// <summary>Modality table of a new model filled by name from a pretrained one (unknown slot from unknown slot).</summary>
    public static PriorRowLayout ForModalityTransfer(int targetCount, IReadOnlyList<string> targetNames, int sourceCount,
        IReadOnlyList<string> sourceNames)
    {
        var source = new long[targetCount];
        for (var i = 0; i < targetCount; i++)
        {
            source[i] = i < targetNames.Count ? IndexOf(sourceNames, targetNames[i]) : -1;
        }

        if (source[targetCount - 1] < 0)
        {
            source[targetCount - 1] = sourceCount - 1;
        }

        return new PriorRowLayout(source);
    }

    private static long RowOf(IReadOnlyList<string> names, string? name, string what)
    {
        if (name is null)
        {
            return -1;
        }

        var i = IndexOf(names, name);
        return i >= 0
            ? i
            : throw new ArgumentException(
                $"Cannot initialise from {what} '{name}': it is not in the model's {what} vocabulary [{string.Join(", ", names)}].");
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (string.Equals(names[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        return -1;
    }
}
