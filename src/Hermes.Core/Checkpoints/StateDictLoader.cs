using Hermes.Runtime;
using TorchSharp;

namespace Hermes.Checkpoints;

/// <summary>
/// Copies a state dict into a TorchSharp module by name (parameters and persistent buffers), like PyTorch's
/// <c>load_state_dict</c>: values are copied into the existing tensors (converting dtype and device), parameter objects
/// are never replaced.
/// </summary>
public static class StateDictLoader
{
    /// <summary>Loads <paramref name="stateDict"/> into <paramref name="module"/>.</summary>
    /// <param name="module">The module.</param>
    /// <param name="stateDict">Tensors by name.</param>
    /// <param name="strict">
    /// When true (default) any missing, unexpected or mis-shaped key raises <see cref="StateDictMismatchException"/>
    /// before anything is copied; when false the matching keys are copied and the rest reported.
    /// </param>
    /// <returns>The report.</returns>
    /// <exception cref="StateDictMismatchException">Strict and the keys or shapes do not match.</exception>
    public static StateDictLoadReport Load(torch.nn.Module module, IReadOnlyDictionary<string, torch.Tensor> stateDict, bool strict = true)
    {
        ArgumentNullException.ThrowIfNull(module);
        ArgumentNullException.ThrowIfNull(stateDict);
        HermesRuntime.EnsureInitialized();

        // The module's state dict: parameters and persistent buffers (non-persistent buffers are not saved, so not expected).
        var targets = module.state_dict().Select(kv => (Name: kv.Key, Tensor: kv.Value)).ToList();
        var seen = new HashSet<string>(targets.Select(t => t.Name), StringComparer.Ordinal);

        var missing = new List<string>();
        var mismatched = new List<StateDictShapeMismatch>();
        var copies = new List<(torch.Tensor Target, torch.Tensor Source)>();
        foreach (var (name, target) in targets)
        {
            if (!stateDict.TryGetValue(name, out var source))
            {
                missing.Add(name);
            }
            else if (!target.shape.SequenceEqual(source.shape))
            {
                mismatched.Add(new StateDictShapeMismatch(name, target.shape, source.shape));
            }
            else
            {
                copies.Add((target, source));
            }
        }

        var unexpected = stateDict.Keys.Where(k => !seen.Contains(k)).ToList();
        var report = new StateDictLoadReport(missing, unexpected, mismatched, strict && (missing.Count + unexpected.Count + mismatched.Count) > 0 ? 0 : copies.Count);
        if (strict && !report.IsExact)
        {
            throw new StateDictMismatchException(report, module.GetType().Name);
        }

        using (torch.no_grad())
        {
            foreach (var (target, source) in copies)
            {
                target.copy_(source);
            }
        }

        return report;
    }
}
