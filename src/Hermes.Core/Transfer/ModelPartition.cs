using Hermes.Abstractions;
using TorchSharp;
using TorchSharp.Modules;

namespace Hermes.Transfer;

/// <summary>Sorts the parameters of a <see cref="UniversalSegmenter"/> into <see cref="ModelParts"/>.</summary>
public static class ModelPartition
{
    /// <summary>
    /// Every parameter with its state-dict name and part: <see cref="ModelParts.Priors"/> for tables named
    /// <c>task_prior</c> / <c>modality_prior</c>, <see cref="ModelParts.Heads"/> for the posterior, modality and
    /// deep-supervision heads, <see cref="ModelParts.Backbone"/> for the rest.
    /// </summary>
    /// <param name="model">The model.</param>
    /// <returns>The parameters in the model's order.</returns>
    public static IReadOnlyList<(string Name, Parameter Parameter, ModelParts Part)> Classify(UniversalSegmenter model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var heads = new[] { (object)model.Head, model.ModalityHead }.Concat(model.DeepSupervision.Select(d => (object)d.Head))
            .Select(h => ModelTensorRoles.ChildName(model, h)).OfType<string>().Select(n => n + ".").ToArray();
        return model.named_parameters().Select(p =>
        {
            var leaf = p.name[(p.name.LastIndexOf('.') + 1)..];
            var part = leaf is ModelTensorRoles.TaskTableName or ModelTensorRoles.ModalityTableName ? ModelParts.Priors
                : heads.Any(h => p.name.StartsWith(h, StringComparison.Ordinal)) ? ModelParts.Heads
                : ModelParts.Backbone;
            return (p.name, p.parameter, part);
        }).ToList();
    }

    /// <summary>Parses CLI-style part names (<c>priors</c>, <c>heads</c>, <c>backbone</c>; comma-separated or repeated).</summary>
    /// <param name="values">The names.</param>
    /// <returns>The union of the named parts.</returns>
    /// <exception cref="FormatException">A name is not a part.</exception>
    public static ModelParts Parse(IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var parts = ModelParts.None;
        foreach (var item in values.SelectMany(v => v.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)))
        {
            parts |= item.ToLowerInvariant() switch
            {
                "priors" => ModelParts.Priors,
                "heads" => ModelParts.Heads,
                "backbone" => ModelParts.Backbone,
                _ => throw new FormatException($"'{item}' is not a model part; use priors, heads or backbone."),
            };
        }

        return parts;
    }
}
