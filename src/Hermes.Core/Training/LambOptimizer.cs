using Hermes.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hermes.Training;

/// <summary>
/// LAMB with the semantics of apex <c>FusedLAMB</c> as Hermes trains with it (reference §10), for any device.
/// </summary>
/// <remarks>
/// Each <see cref="Step"/>:
/// <list type="number">
/// <item>global gradient norm ‖g‖ over all parameters; every gradient is scaled by <c>MaxGradNorm / max(‖g‖, MaxGradNorm)</c>
/// (the stored gradients are not modified);</item>
/// <item>Adam moments on the scaled gradient: m ← β1·m + (1−β1)·g, v ← β2·v + (1−β2)·g²;</item>
/// <item>bias correction m̂ = m/(1−β1ᵗ), v̂ = v/(1−β2ᵗ);</item>
/// <item>update u = m̂/(√v̂ + ε) + wd·p (decoupled decay);</item>
/// <item>per tensor, when wd ≠ 0 (or <see cref="LambOptions.AlwaysAdapt"/>): trust ratio r = ‖p‖/‖u‖, or 1 if either norm is 0;</item>
/// <item>p ← p − lr·r·u.</item>
/// </list>
/// Parameters without a gradient are skipped (their moments do not move), but the step counter t advances for all.
/// Moments have the parameters' dtype and device; everything stays on the device (no host synchronisation).
/// </remarks>
public sealed class LambOptimizer : ITrainingOptimizer
{
    private readonly Parameter[] parameters;
    private readonly Tensor[] expAvg;
    private readonly Tensor[] expAvgSq;
    private Tensor? lastNorm;
    private bool disposed;

    /// <summary>Creates the optimiser over <paramref name="parameters"/> (one group).</summary>
    /// <param name="parameters">The trainable parameters, in a stable order (their order names the state entries).</param>
    /// <param name="options">Hyper-parameters; <see langword="null"/> for Hermes' defaults.</param>
    public LambOptimizer(IEnumerable<Parameter> parameters, LambOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        HermesRuntime.EnsureInitialized();
        Options = options ?? new LambOptions();
        Options.Validate();
        this.parameters = parameters.ToArray();
        if (this.parameters.Length == 0)
        {
            throw new ArgumentException("LAMB needs at least one parameter.", nameof(parameters));
        }

        expAvg = new Tensor[this.parameters.Length];
        expAvgSq = new Tensor[this.parameters.Length];
        for (var i = 0; i < this.parameters.Length; i++)
        {
            expAvg[i] = zeros_like(this.parameters[i]).requires_grad_(false);
            expAvgSq[i] = zeros_like(this.parameters[i]).requires_grad_(false);
        }

        LearningRate = Options.LearningRate;
    }

    /// <inheritdoc/>
    public string Name => "lamb";

    /// <summary>The hyper-parameters.</summary>
    public LambOptions Options { get; }

    /// <inheritdoc/>
    public double LearningRate { get; set; }

    /// <inheritdoc/>
    public long StepCount { get; private set; }

    /// <summary>The global gradient norm measured by the last step, before clipping (NaN before the first step).</summary>
    /// <remarks>Reading it synchronises with the device.</remarks>
    public double LastGradientNorm => lastNorm is null ? double.NaN : lastNorm.to_type(ScalarType.Float64).item<double>();

    /// <inheritdoc/>
    public void Step()
    {
        ObjectDisposedException.ThrowIf(disposed, this);
        var o = Options;
        StepCount++;
        var bc1 = 1 - Math.Pow(o.Beta1, StepCount);
        var bc2 = 1 - Math.Pow(o.Beta2, StepCount);
        var norm = GradientClipping.GlobalNorm(parameters);
        lastNorm?.Dispose();
        lastNorm = norm;

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var factor = GradientClipping.ClipFactor(norm, o.MaxGradNorm);
        var adapt = o.WeightDecay != 0 || o.AlwaysAdapt;
        for (var i = 0; i < parameters.Length; i++)
        {
            var p = parameters[i];
            var grad = p.grad;
            if (grad is null)
            {
                continue;
            }

            using var inner = NewDisposeScope();
            var g = grad.mul(factor.to_type(grad.dtype));
            expAvg[i].mul_(o.Beta1).add_(g, alpha: 1 - o.Beta1);
            expAvgSq[i].mul_(o.Beta2).addcmul_(g, g, value: 1 - o.Beta2);
            var update = expAvg[i].div(bc1).div_(expAvgSq[i].div(bc2).sqrt_().add_(o.Epsilon));
            if (o.WeightDecay != 0)
            {
                update.add_(p, alpha: o.WeightDecay);
            }

            if (adapt)
            {
                var pNorm = p.norm();
                var uNorm = update.norm();
                var valid = pNorm.gt(0).logical_and_(uNorm.gt(0));
                var ratio = where(valid, pNorm.div(uNorm), ones_like(pNorm));
                p.sub_(update.mul_(ratio.mul_(LearningRate)));
            }
            else
            {
                p.add_(update, alpha: -LearningRate);
            }
        }
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
        var state = new Dictionary<string, Tensor>(StringComparer.Ordinal)
        {
            ["step"] = tensor(StepCount, ScalarType.Int64),
        };
        for (var i = 0; i < parameters.Length; i++)
        {
            OptimizerState.AddMoments(state, i, expAvg[i], expAvgSq[i]);
        }

        return state;
    }

    /// <inheritdoc/>
    public void LoadStateDict(IReadOnlyDictionary<string, Tensor> state)
    {
        ArgumentNullException.ThrowIfNull(state);
        ObjectDisposedException.ThrowIf(disposed, this);
        var step = OptimizerState.Require(state, "step", [], Name).item<long>();
        for (var i = 0; i < parameters.Length; i++)
        {
            OptimizerState.LoadMoments(state, i, parameters[i].shape, Name, expAvg[i], expAvgSq[i]);
        }

        StepCount = step;
    }

    /// <inheritdoc/>
    public void Dispose()
    {
        if (disposed)
        {
            return;
        }

        disposed = true;
        foreach (var t in expAvg.Concat(expAvgSq))
        {
            t.Dispose();
        }

        lastNorm?.Dispose();
    }
}
