using Hermes.Training;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hermes.Transfer;

/// <summary>
/// An optimiser over parameter groups with their own learning-rate scales (built by <see cref="FineTuning.Prepare"/>):
/// one global gradient-norm clip over every group, then each group's optimiser steps at <c>rate × scale</c>; prior rows
/// that must not train have their gradients zeroed before the step and their values restored after it, bit for bit.
/// </summary>
public sealed class FineTuneOptimizer : ITrainingOptimizer
{
    private readonly IReadOnlyList<Group> groups;
    private readonly IReadOnlyList<RowGuard> guards;
    private readonly Parameter[] all;
    private readonly double maxGradNorm;
    private double learningRate;
    private bool disposed;

    internal FineTuneOptimizer(IReadOnlyList<Group> groups, double maxGradNorm, IReadOnlyList<RowGuard> guards)
    {
        if (groups.Count == 0)
        {
            throw new ArgumentException("Fine-tuning has no trainable parameter.", nameof(groups));
        }

        this.groups = groups;
        this.guards = guards;
        this.maxGradNorm = maxGradNorm;
        all = groups.SelectMany(g => g.Parameters).ToArray();
        learningRate = groups[0].Optimizer.LearningRate / groups[0].Scale;
        LearningRate = learningRate;
    }

    /// <inheritdoc/>
    public string Name => "finetune-" + groups[0].Optimizer.Name;

    /// <summary>The groups: name, parameter count and learning-rate scale.</summary>
    public IReadOnlyList<(string Name, int Parameters, double Scale)> Groups =>
        groups.Select(g => (g.Name, g.Parameters.Count, g.Scale)).ToList();

    /// <summary>The parameters this optimiser changes, in order.</summary>
    public IReadOnlyList<Parameter> Parameters => all;

    /// <summary>The base learning rate; each group runs at this times its scale.</summary>
    public double LearningRate
    {
        get => learningRate;
        set
        {
            learningRate = value;
            foreach (var g in groups)
            {
                g.Optimizer.LearningRate = value * g.Scale;
            }
        }
    }

    /// <inheritdoc/>
    public long StepCount { get; private set; }

    /// <inheritdoc/>
    public void Step()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        using (no_grad())
        {
            foreach (var guard in guards)
            {
                guard.Parameter.grad?.index_fill_(0, guard.Rows, 0);
            }
        }

        if (!double.IsPositiveInfinity(maxGradNorm))
        {
            GradientClipping.ClipGlobalNorm(all, maxGradNorm).Dispose();
        }

        foreach (var g in groups)
        {
            g.Optimizer.Step();
        }

        using (no_grad())
        {
            foreach (var guard in guards)
            {
                guard.Parameter.index_copy_(0, guard.Rows, guard.Values);
            }
        }

        StepCount++;
    }

    /// <inheritdoc/>
    public void ZeroGrad()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        foreach (var g in groups)
        {
            g.Optimizer.ZeroGrad();
        }
    }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, Tensor> StateDict()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal) { ["step"] = tensor(StepCount, ScalarType.Int64) };
        foreach (var g in groups)
        {
            foreach (var (key, value) in g.Optimizer.StateDict())
            {
                state[$"{g.Name}.{key}"] = value;
            }
        }

        return state;
    }

    /// <inheritdoc/>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        ObjectDisposedException.ThrowIf(disposed, this);
        foreach (var g in groups)
        {
            var prefix = g.Name + ".";
            g.Optimizer.LoadStateDict(state.Where(kv => kv.Key.StartsWith(prefix, StringComparison.Ordinal))
                .ToDictionary(kv => kv.Key[prefix.Length..], kv => kv.Value, StringComparer.Ordinal));
        }

        StepCount = Hermes.Training.OptimizerState.Require(state, "step", [], Name).item<long>();
    }

    /// <summary>Disposes the group optimisers and the saved rows.</summary>
    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        foreach (var g in groups)
        {
            g.Optimizer.Dispose();
        }

        foreach (var guard in guards)
        {
            guard.Rows.Dispose();
            guard.Values.Dispose();
        }
    }

    internal sealed record Group(string Name, IReadOnlyList<Parameter> Parameters, ITrainingOptimizer Optimizer, double Scale);

    internal sealed record RowGuard(string Name, Parameter Parameter, Tensor Rows, Tensor Values);
}
