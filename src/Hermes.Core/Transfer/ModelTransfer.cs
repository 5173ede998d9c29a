using Hermes.Abstractions;
using Hermes.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Transfer;

/// <summary>
/// Starts a model for a new dataset (its own task and modality vocabulary) from a pretrained universal model: the
/// backbone and fusion layers are copied, the heads optionally, and the prior rows of tasks and modalities with the same
/// names (plus the null token and the unknown-modality slot) optionally; everything else keeps its initialisation.
/// </summary>
public static class ModelTransfer
{
    /// <summary>Copies weights from <paramref name="pretrained"/> into <paramref name="target"/>.</summary>
    /// <param name="target">The new model (same architecture, any vocabulary size); modified in place.</param>
    /// <param name="targetVocabulary">The new model's names.</param>
    /// <param name="pretrained">The pretrained model (left unchanged).</param>
    /// <param name="pretrainedVocabulary">Its names.</param>
    /// <param name="options">What to copy; <see langword="null"/> for the defaults.</param>
    /// <returns>What was copied.</returns>
    /// <exception cref="InvalidOperationException">The architectures differ (a backbone tensor is missing or has another shape).</exception>
    public static TransferReport Initialize(UniversalSegmenter target, ModelVocabulary targetVocabulary,
        UniversalSegmenter pretrained, ModelVocabulary pretrainedVocabulary, TransferOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(target);
        ArgumentNullException.ThrowIfNull(targetVocabulary);
        ArgumentNullException.ThrowIfNull(pretrained);
        ArgumentNullException.ThrowIfNull(pretrainedVocabulary);
        HermesRuntime.EnsureInitialized();
        options ??= new TransferOptions();
        targetVocabulary.Validate(target.TaskCount, target.ModalityCount);
        pretrainedVocabulary.Validate(pretrained.TaskCount, pretrained.ModalityCount);

        var roles = ModelTensorRoles.Of(target);
        var parts = ModelPartition.Classify(target).ToDictionary(p => p.Name, p => p.Part, StringComparer.Ordinal);
        var taskLayout = PriorRowLayout.ForTaskTransfer(target.TaskCount, targetVocabulary.Tasks, pretrained.TaskCount,
            pretrainedVocabulary.Tasks);
        var modalityLayout = PriorRowLayout.ForModalityTransfer(target.ModalityCount, targetVocabulary.Modalities,
            pretrained.ModalityCount, pretrainedVocabulary.Modalities);
        var source = pretrained.state_dict();
        var copied = new List<string>();
        var kept = new List<string>();
        var actions = new List<(Tensor Target, Tensor Source, PriorRowLayout? Layout, string Name)>();
        foreach (var (name, tensor) in target.state_dict())
        {
            var part = parts.GetValueOrDefault(name, ModelParts.Backbone);
            var role = roles[name];
            var wanted = role is TensorRole.TaskTable or TensorRole.ModalityTable ? options.MatchPriorsByName
                : part != ModelParts.Heads || options.IncludeHeads;
            if (!wanted)
            {
                kept.Add(name);
                continue;
            }

            if (!source.TryGetValue(name, out var from))
            {
                if (part == ModelParts.Heads)
                {
                    kept.Add(name);
                    continue;
                }

                throw new InvalidOperationException($"The pretrained model has no tensor '{name}'; the architectures differ.");
            }

            PriorRowLayout? layout = role switch
            {
                TensorRole.TaskTable => taskLayout,
                TensorRole.ModalityTable => modalityLayout,
                TensorRole.ModalityOutput when from.shape[0] == pretrained.ModalityCount => modalityLayout,
                _ => null,
            };
            if (layout is null && !tensor.shape.SequenceEqual(from.shape))
            {
                throw new InvalidOperationException(
                    $"'{name}' is [{string.Join(", ", from.shape)}] in the pretrained model but [{string.Join(", ", tensor.shape)}] here; the architectures differ.");
            }

            if (layout is not null && !tensor.shape.AsSpan(1).SequenceEqual(from.shape.AsSpan(1)))
            {
                throw new InvalidOperationException(
                    $"'{name}' rows are [{string.Join(", ", from.shape.Skip(1))}] in the pretrained model but [{string.Join(", ", tensor.shape.Skip(1))}] here; the architectures differ.");
            }

            (layout is null ? copied : kept).Add(name);
            actions.Add((tensor, from, layout, name));
        }

        // Everything was checked before anything is written, so a refused transfer leaves the target untouched.
        using (no_grad())
        {
            foreach (var (tensor, from, layout, name) in actions)
            {
                if (layout is null)
                {
                    tensor.copy_(from);
                }
                else
                {
                    ModelTensorRoles.CopyRows(tensor, from, layout, name);
                }
            }
        }

        var tasks = targetVocabulary.Tasks.Where(t => pretrainedVocabulary.Tasks.Contains(t, StringComparer.Ordinal)).ToList();
        var modalities = targetVocabulary.Modalities.Where(m => pretrainedVocabulary.Modalities.Contains(m, StringComparer.Ordinal)).ToList();
        return new TransferReport(copied, kept, options.MatchPriorsByName ? tasks : [], options.MatchPriorsByName ? modalities : []);
    }
}
