using System.Text.Json.Nodes;
using Hermes.Abstractions;
using Hermes.Checkpoints;
using Hermes.Data;
using Hermes.Preprocessing;
using Hermes.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Transfer;

/// <summary>
/// Appends tasks and modalities to a trained <see cref="UniversalSegmenter"/>: every prior table of every scale (the
/// fusion layers' and any backbone-internal pools such as Hermes-M's) and the modality head's output grow, every existing
/// weight is copied, and the new rows are initialised randomly (as the builder initialises a new model's tables) or copied from a
/// named existing task or modality.
/// </summary>
/// <remarks>
/// <para>Ids: existing task ids and the null token (−1) select exactly the rows they selected before, so the outputs for
/// the old tasks (same image, same requested task list, same modality) are bit-identical. New tasks take the first
/// unnamed ids — the same ids an append-only <c>Hermes.Data.TaskVocabulary</c> gives them — before the last id tn − 1,
/// which the reference never trains (its loss silences it) and which stays last and unnamed; the null token stays the
/// final row. Modalities: index −1 selects the last row (the unknown slot), which stays last; new modalities take the
/// ids after the named regular ones. When the vocabulary names that slot, the name moves with it to the new last id.</para>
/// <para>Prior tables are found by their reference state-dict names (<c>task_prior</c>, <c>modality_prior</c>); custom
/// pools must use them too.</para>
/// </remarks>
public static class VocabularyExtension
{
    /// <summary>Builds the extended model.</summary>
    /// <param name="model">The trained model (left unchanged).</param>
    /// <param name="vocabulary">Its task and modality names.</param>
    /// <param name="plan">What to add.</param>
    /// <param name="build">
    /// Builds an untrained model of the same architecture with the given (tn, mn); it supplies the initialisation of new
    /// rows, so seed the torch generator before calling for reproducible rows. For example
    /// <c>(tn, mn) =&gt; HermesR.Create(options with { TaskCount = tn, ModalityCount = mn })</c>.
    /// </param>
    /// <returns>The new model (on the old model's device and dtype, in its train/eval mode) and its vocabulary.</returns>
    /// <exception cref="ArgumentException">A name is taken, repeated or unknown (for an initialisation source).</exception>
    /// <exception cref="InvalidOperationException">The built model does not match the old one apart from the vocabulary.</exception>
    public static ExtendedModel Extend(UniversalSegmenter model, ModelVocabulary vocabulary, VocabularyExtensionPlan plan,
        Func<int, int, UniversalSegmenter> build)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(vocabulary);
        ArgumentNullException.ThrowIfNull(plan);
        ArgumentNullException.ThrowIfNull(build);
        HermesRuntime.EnsureInitialized();
        vocabulary.Validate(model.TaskCount, model.ModalityCount);
        CheckNew(plan.Tasks, vocabulary.Tasks, "task");
        CheckNew(plan.Modalities, vocabulary.Modalities, "modality");

        var (taskLayout, taskCount, tasks, taskIds) =
            PriorRowLayout.ForTaskExtension(model.TaskCount, vocabulary.Tasks, plan.Tasks);
        var (modalityLayout, modalityCount, modalities, modalityIds) =
            PriorRowLayout.ForModalityExtension(model.ModalityCount, vocabulary.Modalities, plan.Modalities);
        var roles = ModelTensorRoles.Of(model);

        var extended = build(taskCount, modalityCount)
            ?? throw new InvalidOperationException("The model builder returned null.");
        try
        {
            if (extended.TaskCount != taskCount || extended.ModalityCount != modalityCount)
            {
                throw new InvalidOperationException(
                    $"The model builder was asked for tn = {taskCount}, mn = {modalityCount} but built tn = {extended.TaskCount}, mn = {extended.ModalityCount}.");
            }

            var first = model.parameters().First();
            extended.to(first.dtype).to(first.device);
            var oldState = model.state_dict();
            var newState = extended.state_dict();
            var missing = newState.Keys.Except(oldState.Keys).Concat(oldState.Keys.Except(newState.Keys)).ToList();
            if (missing.Count > 0)
            {
                throw new InvalidOperationException(
                    $"The built model's tensors differ from the trained model's by name: {string.Join(", ", missing.Take(8))}{(missing.Count > 8 ? ", …" : string.Empty)}.");
            }

            using (no_grad())
            {
                foreach (var (name, target) in newState)
                {
                    var source = oldState[name];
                    switch (roles[name])
                    {
                        case TensorRole.TaskTable:
                            ModelTensorRoles.CopyRows(target, source, taskLayout, name);
                            break;
                        case TensorRole.ModalityTable:
                        case TensorRole.ModalityOutput:
                            ModelTensorRoles.CopyRows(target, source, modalityLayout, name);
                            break;
                        default:
                            if (!target.shape.SequenceEqual(source.shape))
                            {
                                throw new InvalidOperationException(
                                    $"'{name}' has shape [{string.Join(", ", source.shape)}] in the trained model but [{string.Join(", ", target.shape)}] in the built one; only prior tables and the modality head's output may change.");
                            }

                            target.copy_(source);
                            break;
                    }
                }
            }

            extended.train(model.training);
            return new ExtendedModel(extended, new ModelVocabulary(tasks, modalities), taskIds, modalityIds);
        }
        catch
        {
            extended.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The sidecar of an extended model: the new vocabularies, <c>tn</c>/<c>mn</c> in the architecture options updated
    /// (when present), and a normalisation for every new modality (its initialisation source's, or z-score without
    /// clipping).
    /// </summary>
    /// <param name="sidecar">The trained model's sidecar.</param>
    /// <param name="extended">The extension result.</param>
    /// <param name="plan">The plan that produced it.</param>
    /// <returns>The new sidecar.</returns>
    public static ModelSidecar UpdateSidecar(ModelSidecar sidecar, ExtendedModel extended, VocabularyExtensionPlan plan)
    {
        ArgumentNullException.ThrowIfNull(sidecar);
        ArgumentNullException.ThrowIfNull(extended);
        ArgumentNullException.ThrowIfNull(plan);
        var options = sidecar.ArchitectureOptions.DeepClone().AsObject();
        if (options.ContainsKey("tn"))
        {
            options["tn"] = extended.Model.TaskCount;
        }

        if (options.ContainsKey("mn"))
        {
            options["mn"] = extended.Model.ModalityCount;
        }

        var normalization = new Dictionary<string, IntensityNormalization>(sidecar.Preprocessing.Normalization, StringComparer.Ordinal);
        foreach (var m in plan.Modalities)
        {
            normalization[m.Name] = m.InitFrom is not null && normalization.TryGetValue(m.InitFrom, out var n)
                ? n
                : new IntensityNormalization(IntensityClipMode.None, 0, 0, ZScore: true);
        }

        return sidecar with
        {
            ArchitectureOptions = options,
            Tasks = extended.Vocabulary.Tasks,
            Modalities = extended.Vocabulary.Modalities,
            Preprocessing = sidecar.Preprocessing with { Normalization = normalization },
        };
    }

    private static void CheckNew(IReadOnlyList<VocabularyAddition> additions, IReadOnlyList<string> existing, string what)
    {
        ArgumentNullException.ThrowIfNull(additions);
        var seen = new HashSet<string>(existing, StringComparer.Ordinal);
        foreach (var a in additions)
        {
            ArgumentNullException.ThrowIfNull(a);
            VocabularyName.Validate(a.Name, what);

            if (!seen.Add(a.Name))
            {
                throw new ArgumentException($"The {what} '{a.Name}' already exists (or is added twice); names must be unique.");
            }

            if (a.InitFrom is not null && !existing.Contains(a.InitFrom, StringComparer.Ordinal))
            {
                throw new ArgumentException(
                    $"The new {what} '{a.Name}' is to start from '{a.InitFrom}', which is not an existing {what} [{string.Join(", ", existing)}].");
            }
        }
    }
}
