using System.Globalization;
using Hermes.Data;
using Hermes.Training;
using Microsoft.Extensions.Options;

namespace Hermes.DependencyInjection;

/// <summary>
/// Validates <see cref="HermesOptions"/> (every named instance) at start-up: each failure names the option by its
/// configuration path (e.g. <c>Hermes:BaseChannels</c>, or <c>Hermes[ct]:PatchSize</c> for named options), its value and
/// what is expected.
/// </summary>
/// <param name="architectures">The registered architectures (names and strides).</param>
/// <param name="catalog">The task catalog task and dataset names are checked against.</param>
public sealed class HermesOptionsValidator(IEnumerable<IModelArchitecture> architectures, TaskCatalog catalog) : IValidateOptions<HermesOptions>
{
    /// <inheritdoc />
    public ValidateOptionsResult Validate(string? name, HermesOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        var prefix = PathOf(name);
        var ic = CultureInfo.InvariantCulture;
        var failures = new List<string>();
        void Fail(string option, object? value, string expected) =>
            failures.Add(string.Create(ic, $"{prefix}:{option} = {Show(value)} is invalid: {expected}."));

        var registered = architectures.ToList();
        var architecture = registered.LastOrDefault(a => string.Equals(a.Name, options.Backbone, StringComparison.OrdinalIgnoreCase));
        if (architecture is null)
        {
            Fail("Backbone", options.Backbone, registered.Count == 0
                ? "no architecture is registered (call UseResUNet(), UseMedFormer() or AddBackbone<T>())"
                : $"expected one of {string.Join(", ", registered.Select(a => a.Name).Distinct(StringComparer.OrdinalIgnoreCase))}");
        }

        if (options.InputChannels < 1)
        {
            Fail("InputChannels", options.InputChannels, "expected ≥ 1");
        }

        if (options.BaseChannels < 1)
        {
            Fail("BaseChannels", options.BaseChannels, "expected ≥ 1");
        }

        var stride = architecture?.Stride ?? 1;
        var minimum = Math.Max(stride, architecture?.MinimumPatchSize ?? 1);
        if (options.PatchSize is null || options.PatchSize.Length != 3)
        {
            Fail("PatchSize", options.PatchSize, "expected three sizes (D, H, W)");
        }
        else if (options.PatchSize.Any(p => p < minimum || p % stride != 0))
        {
            Fail("PatchSize", options.PatchSize, $"every size must be a multiple of the {architecture?.Name} stride {stride} and at least {minimum}");
        }
        else if (options.PatchSize.Any(p => p > Checkpoints.ModelSidecar.MaxPatchSide) || options.PatchSize.Aggregate(1L, (a, p) => a * p) > Checkpoints.ModelSidecar.MaxPatchVoxels)
        {
            // The bound a model sidecar's patch size has: a patch is allocated for every batch element and layer.
            Fail("PatchSize", options.PatchSize, $"at most {Checkpoints.ModelSidecar.MaxPatchSide} a side and {Checkpoints.ModelSidecar.MaxPatchVoxels} voxels in all (512³; the reference trains on 128³)");
        }

        foreach (var task in options.Tasks ?? [])
        {
            if (!catalog.Vocabulary.Tasks.Contains(task, StringComparer.Ordinal))
            {
                Fail("Tasks", task, $"unknown task name; the catalog has {catalog.Vocabulary.Tasks.Count} tasks, e.g. {string.Join(", ", catalog.Vocabulary.Tasks.Take(3))}");
            }
        }

        if (options.Weights is not null && !File.Exists(options.Weights))
        {
            Fail("Weights", options.Weights, "the file does not exist");
        }

        ValidateTraining(options.Training, Fail);
        ValidateInference(options.Inference, Fail);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    private void ValidateTraining(HermesTrainingOptions? t, Action<string, object?, string> fail)
    {
        if (t is null)
        {
            fail("Training", null, "the section must not be null");
            return;
        }

        if (!Enum.IsDefined(t.Optimizer))
        {
            fail("Training:Optimizer", t.Optimizer, $"expected {ConfiguredChoice.Names<OptimizerKind>()}");
        }

        if (!double.IsFinite(t.LearningRate) || t.LearningRate <= 0)
        {
            fail("Training:LearningRate", t.LearningRate, "expected a finite value > 0");
        }

        if (!double.IsFinite(t.WarmupEpochs) || t.WarmupEpochs < 0)
        {
            fail("Training:WarmupEpochs", t.WarmupEpochs, "expected a finite value ≥ 0");
        }

        if (t.Epochs < 1)
        {
            fail("Training:Epochs", t.Epochs, "expected ≥ 1");
        }

        if (t.StepsPerEpoch < 1)
        {
            fail("Training:StepsPerEpoch", t.StepsPerEpoch, "expected ≥ 1");
        }

        if (t.BatchSize < 1)
        {
            fail("Training:BatchSize", t.BatchSize, "expected ≥ 1");
        }

        if (!(t.EmaDecay is >= 0 and < 1))
        {
            fail("Training:EmaDecay", t.EmaDecay, "expected a value in [0, 1)");
        }

        if (t.Manifest is not null && !File.Exists(t.Manifest))
        {
            fail("Training:Manifest", t.Manifest, "the file does not exist");
        }

        foreach (var dataset in t.Datasets ?? [])
        {
            if (!catalog.Contains(dataset))
            {
                fail("Training:Datasets", dataset, "unknown dataset; declare it in the task catalog");
            }
        }

        var custom = t.CustomDatasets ?? [];
        for (var i = 0; i < custom.Count; i++)
        {
            if (custom[i] is null)
            {
                fail($"Training:CustomDatasets:{i}", null, "expected a dataset entry (Name, Folder or Manifest, Modality, Labels)");
                continue;
            }

            foreach (var (option, value, expected) in custom[i].Problems())
            {
                fail($"Training:CustomDatasets:{i}:{option}", value, $"expected {expected}");
            }

            if (custom[i].Name is { } name && custom.Take(i).Any(d => d?.Name == name))
            {
                fail($"Training:CustomDatasets:{i}:Name", name, "expected a name no other entry has");
            }
        }
    }

    private static void ValidateInference(HermesInferenceOptions? i, Action<string, object?, string> fail)
    {
        if (i is null)
        {
            fail("Inference", null, "the section must not be null");
            return;
        }

        if (!(i.Overlap is >= 0 and < 1))
        {
            fail("Inference:Overlap", i.Overlap, "expected a value in [0, 1)");
        }

        if (i.WindowsPerBatch < 1)
        {
            fail("Inference:WindowsPerBatch", i.WindowsPerBatch, "expected ≥ 1");
        }

        if (!(i.Threshold is >= 0 and < 1))
        {
            fail("Inference:Threshold", i.Threshold, "expected a value in [0, 1)");
        }
    }

    /// <summary>An option value as messages show it.</summary>
    /// <summary>The configuration path messages give the options named <paramref name="name"/>: <c>Hermes</c>, or <c>Hermes[ct]</c>.</summary>
    internal static string PathOf(string? name) =>
        string.IsNullOrEmpty(name) ? HermesOptions.SectionName : $"{HermesOptions.SectionName}[{name}]";

    internal static string Show(object? value) => value switch
    {
        null => "null",
        string s => $"'{s}'",
        int[] a => $"[{string.Join(", ", a)}]",
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
