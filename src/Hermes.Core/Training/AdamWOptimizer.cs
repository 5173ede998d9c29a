using Hermes.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hermes.Training;

/// <summary>TorchSharp's AdamW behind <see cref="ITrainingOptimizer"/>, with optional global gradient-norm clipping.</summary>
public sealed class AdamWOptimizer : ITrainingOptimizer
{
    private readonly Parameter[] parameters;
    private readonly AdamW inner;
    private bool disposed;

    /// <summary>Creates the optimiser over <paramref name="parameters"/> (one group).</summary>
    /// <param name="parameters">The trainable parameters, in a stable order.</param>
    /// <param name="options">Hyper-parameters; <see langword="null"/> for the defaults.</param>
    public AdamWOptimizer(IEnumerable<Parameter> parameters, AdamWOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        HermesRuntime.EnsureInitialized();
        Options = options ?? new AdamWOptions();
        Options.Validate();
        this.parameters = parameters.ToArray();
        if (this.parameters.Length == 0)
        {
            throw new ArgumentException("AdamW needs at least one parameter.", nameof(parameters));
        }

        inner = optim.AdamW(this.parameters, Options.LearningRate, Options.Beta1, Options.Beta2, Options.Epsilon,
            Options.WeightDecay);
    }

    /// <inheritdoc/>
    public string Name => "adamw";

    /// <summary>The hyper-parameters.</summary>
    public AdamWOptions Options { get; }

    /// <inheritdoc/>
    public double LearningRate
    {
        get => inner.ParamGroups.First().LearningRate;
        set
        {
            foreach (var g in inner.ParamGroups)
            {
                g.LearningRate = value;
            }
        }
    }

    /// <inheritdoc/>
    public long StepCount { get; private set; }

    /// <inheritdoc/>
    public void Step()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        if (!double.IsPositiveInfinity(Options.MaxGradNorm))
        {
            GradientClipping.ClipGlobalNorm(parameters, Options.MaxGradNorm).Dispose();
        }

        inner.step();
        StepCount++;
    }

    /// <inheritdoc/>
    public void ZeroGrad()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        OptimizerState.ZeroGrad(parameters);
    }

    /// <inheritdoc/>
    public IReadOnlyDictionary<string, Tensor> StateDict()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var states = States();
        var result = new Dictionary<string, Tensor>(StringComparer.Ordinal)
        {
            ["step"] = tensor(StepCount, ScalarType.Int64),
        };
        for (var i = 0; i < states.Length; i++)
        {
            result[$"step.{i}"] = tensor(states[i].step, ScalarType.Int64);
            OptimizerState.AddMoments(result, i, states[i].exp_avg, states[i].exp_avg_sq);
        }

        return result;
    }

    /// <inheritdoc/>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        ObjectDisposedException.ThrowIf(disposed, this);
        var states = States();
        for (var i = 0; i < states.Length; i++)
        {
            states[i].step = OptimizerState.Require(state, $"step.{i}", [], Name).item<long>();
            OptimizerState.LoadMoments(state, i, parameters[i].shape, Name, states[i].exp_avg, states[i].exp_avg_sq);
        }

        StepCount = OptimizerState.Require(state, "step", [], Name).item<long>();
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        inner.Dispose();
    }

    private AdamW.State[] States()
    {
        var states = inner.state_dict().State.Cast<AdamW.State>().ToArray();
        if (states.Length != parameters.Length)
        {
            throw new InvalidOperationException(
                $"TorchSharp's AdamW reports {states.Length} state entries for {parameters.Length} parameters.");
        }

        return states;
    }
}
