using Hermes.Abstractions;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Transfer;

/// <summary>What a state-dict entry of a <see cref="UniversalSegmenter"/> is, as far as the vocabulary is concerned.</summary>
internal enum TensorRole
{
    /// <summary>Independent of the vocabulary.</summary>
    Plain,

    /// <summary>A task prior table <c>[tn + 1, dim]</c> (state-dict leaf name <c>task_prior</c>).</summary>
    TaskTable,

    /// <summary>A modality prior table <c>[mn, l, dim]</c> (leaf name <c>modality_prior</c>).</summary>
    ModalityTable,

    /// <summary>A modality-head output tensor with one row per modality (the head's last layer).</summary>
    ModalityOutput,
}

/// <summary>Finds the vocabulary-dependent tensors of a <see cref="UniversalSegmenter"/> by name.</summary>
internal static class ModelTensorRoles
{
    public const string TaskTableName = "task_prior";
    public const string ModalityTableName = "modality_prior";

    /// <summary>The role of every state-dict entry of <paramref name="model"/>.</summary>
    public static Dictionary<string, TensorRole> Of(UniversalSegmenter model)
    {
        var state = model.state_dict();
        var outputPrefix = ModalityOutputPrefix(model);
        var roles = new Dictionary<string, TensorRole>(StringComparer.Ordinal);
        foreach (var (name, tensor) in state)
        {
            var leaf = name[(name.LastIndexOf('.') + 1)..];
            roles[name] = leaf switch
            {
                TaskTableName when tensor.dim() == 2 && tensor.shape[0] == model.TaskCount + 1 => TensorRole.TaskTable,
                ModalityTableName when tensor.dim() == 3 && tensor.shape[0] == model.ModalityCount => TensorRole.ModalityTable,
                TaskTableName or ModalityTableName => throw new InvalidOperationException(
                    $"Prior table '{name}' has shape [{string.Join(", ", tensor.shape)}], which does not fit the model's vocabulary (tn = {model.TaskCount}, mn = {model.ModalityCount}): expected [tn + 1, dim] or [mn, l, dim]."),
                _ when outputPrefix is not null && name.StartsWith(outputPrefix, StringComparison.Ordinal) &&
                       tensor.dim() >= 1 && tensor.shape[0] == model.ModalityCount => TensorRole.ModalityOutput,
                _ => TensorRole.Plain,
            };
        }

        if (!roles.Values.Contains(TensorRole.TaskTable))
        {
            throw new InvalidOperationException(
                $"The model has no task prior table (a parameter named '{TaskTableName}'); its vocabulary cannot be extended or transferred.");
        }

        return roles;
    }

    /// <summary>The state-dict name of the module that owns a part (a head), found by reference.</summary>
    public static string? ChildName(UniversalSegmenter model, object? part) =>
        part is null ? null : model.named_children().FirstOrDefault(c => ReferenceEquals(c.module, part)).name;

    // The modality head's last layer: the module path of its last parameter (e.g. "mod_out.classifier.fc2.").
    private static string? ModalityOutputPrefix(UniversalSegmenter model)
    {
        var head = ChildName(model, model.ModalityHead);
        if (head is null)
        {
            return null;
        }

        var last = ((nn.Module)model.ModalityHead!).named_parameters().Select(p => p.name).LastOrDefault();
        if (last is null)
        {
            return null;
        }

        var dot = last.LastIndexOf('.');
        return dot < 0 ? $"{head}.{last}" : $"{head}.{last[..(dot + 1)]}";
    }

    /// <summary>Copies rows of <paramref name="source"/> into <paramref name="target"/> along dim 0 as the layout says.</summary>
    public static void CopyRows(Tensor target, Tensor source, PriorRowLayout layout, string name)
    {
        if (target.shape[0] != layout.Rows || !target.shape.AsSpan(1).SequenceEqual(source.shape.AsSpan(1)))
        {
            throw new InvalidOperationException(
                $"'{name}': new shape [{string.Join(", ", target.shape)}] does not fit the old [{string.Join(", ", source.shape)}] with {layout.Rows} rows.");
        }

        var pairs = layout.Source.Select((s, i) => (Target: (long)i, Source: s)).Where(p => p.Source >= 0).ToArray();
        if (pairs.Length == 0)
        {
            return;
        }

        if (pairs.Any(p => p.Source >= source.shape[0]))
        {
            throw new InvalidOperationException($"'{name}': a row beyond the old table's {source.shape[0]} rows was requested.");
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var rows = tensor(pairs.Select(p => p.Source).ToArray(), device: source.device);
        var into = tensor(pairs.Select(p => p.Target).ToArray(), device: target.device);
        target.index_copy_(0, into, source.index_select(0, rows).to(target.dtype, target.device));
    }
}
