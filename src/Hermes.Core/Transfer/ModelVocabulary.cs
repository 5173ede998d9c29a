namespace Hermes.Transfer;

/// <summary>
/// The names of a model's task and modality ids (index = id), as stored in the model sidecar.
/// </summary>
/// <remarks>
/// A model with task vocabulary size tn has a task table of tn + 1 rows: ids 0 … tn − 1 and, last, the null token that
/// index −1 selects. Names may cover fewer ids than tn: the reference model names 71 of its 72 ids (id 71, the last, is
/// never trained — the loss silences id tn − 1). The modality table has mn rows and index −1 selects the last one, the
/// "unknown" slot; the names may list that slot as their last entry (then <c>Modalities.Count == mn</c>) or leave it
/// unnamed (as <c>Hermes.Data.TaskVocabulary</c> does, which gives the unknown modality id −1).
/// </remarks>
/// <param name="Tasks">Task names by task id.</param>
/// <param name="Modalities">Modality names by modality id.</param>
public sealed record ModelVocabulary(IReadOnlyList<string> Tasks, IReadOnlyList<string> Modalities)
{
    /// <summary>The id of a task name.</summary>
    /// <param name="name">The task name.</param>
    /// <returns>The id.</returns>
    /// <exception cref="KeyNotFoundException">The name is not in the vocabulary.</exception>
    public int TaskId(string name) => IndexOf(Tasks, name, "Task");

    /// <summary>The id of a modality name.</summary>
    /// <param name="name">The modality name.</param>
    /// <returns>The id.</returns>
    /// <exception cref="KeyNotFoundException">The name is not in the vocabulary.</exception>
    public int ModalityId(string name) => IndexOf(Modalities, name, "Modality");

    /// <summary>
    /// A model's vocabulary sizes read from its state dict: tn from a task prior table <c>[tn + 1, dim]</c> and mn from a
    /// modality prior table <c>[mn, l, dim]</c> (leaf names <c>task_prior</c>, <c>modality_prior</c>); <see langword="null"/>
    /// where the state dict has no such table. Names may leave ids unnamed (the silenced last task id, the unknown slot), so
    /// the tables, not the name counts, size a model to load the weights into.
    /// </summary>
    /// <param name="stateDict">The state dict.</param>
    /// <returns>tn and mn, each when found.</returns>
    public static (int? TaskCount, int? ModalityCount) SizesFromStateDict(IReadOnlyDictionary<string, TorchSharp.torch.Tensor> stateDict)
    {
        ArgumentNullException.ThrowIfNull(stateDict);
        return (Rows(ModelTensorRoles.TaskTableName, 2) - 1, Rows(ModelTensorRoles.ModalityTableName, 3));

        int? Rows(string leaf, int rank)
        {
            foreach (var (name, tensor) in stateDict)
            {
                if (name[(name.LastIndexOf('.') + 1)..] == leaf && tensor.dim() == rank)
                {
                    return checked((int)tensor.shape[0]);
                }
            }

            return null;
        }
    }

    /// <summary>Checks the names against a model's vocabulary sizes.</summary>
    /// <param name="taskCount">The model's tn.</param>
    /// <param name="modalityCount">The model's mn.</param>
    /// <exception cref="ArgumentException">A name is empty or repeated, or there are more names than ids.</exception>
    public void Validate(int taskCount, int modalityCount)
    {
        Check(Tasks, "task", taskCount);
        Check(Modalities, "modality", modalityCount);
    }

    private static void Check(IReadOnlyList<string>? names, string what, int count)
    {
        if (names is null)
        {
            throw new ArgumentException($"The {what} vocabulary is missing.");
        }

        if (names.Count > count)
        {
            throw new ArgumentException(
                $"The {what} vocabulary names {names.Count} ids but the model has only {count} {what} ids.");
        }

        if (names.Any(string.IsNullOrWhiteSpace))
        {
            throw new ArgumentException($"The {what} vocabulary holds an empty name.");
        }

        var duplicate = names.GroupBy(n => n, StringComparer.Ordinal).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new ArgumentException($"The {what} vocabulary lists '{duplicate.Key}' twice.");
        }
    }

    private static int IndexOf(IReadOnlyList<string> names, string name, string what)
    {
        ArgumentNullException.ThrowIfNull(name);
        for (var i = 0; i < names.Count; i++)
        {
            if (string.Equals(names[i], name, StringComparison.Ordinal))
            {
                return i;
            }
        }

        throw new KeyNotFoundException($"{what} '{name}' is not in the vocabulary [{string.Join(", ", names)}].");
    }
}
