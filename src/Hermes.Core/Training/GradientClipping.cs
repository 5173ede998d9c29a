using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hermes.Training;

/// <summary>Global gradient-norm clipping (one L2 norm over all gradients, as apex FusedLAMB and <c>clip_grad_norm_</c>).</summary>
public static class GradientClipping
{
    /// <summary>
    /// Computes ‖g‖₂ over every gradient of <paramref name="parameters"/> (parameters without a gradient are skipped),
    /// as a scalar tensor on the gradients' device (float64 when a gradient is float64, else float32), without moving
    /// anything to the host.
    /// </summary>
    /// <param name="parameters">The parameters.</param>
    /// <returns>The global norm (0 when no parameter has a gradient). The caller owns it.</returns>
    public static Tensor GlobalNorm(IEnumerable<Parameter> parameters)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var norms = new List<Tensor>();
        foreach (var p in parameters)
        {
            var g = p.grad;
            if (g is not null)
            {
                norms.Add(g.dtype == ScalarType.Float64 ? g.norm() : g.to_type(ScalarType.Float32).norm());
            }
        }

        var type = norms.Any(n => n.dtype == ScalarType.Float64) ? ScalarType.Float64 : ScalarType.Float32;
        var result = norms.Count == 0 ? zeros([], ScalarType.Float32) : stack(norms.Select(n => n.to_type(type))).norm();
        return scope.MoveToOuter(result);
    }

    /// <summary>
    /// Scales every gradient in place by <c>min(1, maxNorm / ‖g‖)</c>, so the global norm is at most
    /// <paramref name="maxNorm"/> (no ε is added, as in apex: a norm equal to the limit is left unchanged).
    /// </summary>
    /// <param name="parameters">The parameters whose gradients are clipped.</param>
    /// <param name="maxNorm">The largest allowed global norm (&gt; 0).</param>
    /// <returns>The global norm before clipping, as a scalar tensor the caller owns.</returns>
    public static Tensor ClipGlobalNorm(IEnumerable<Parameter> parameters, double maxNorm)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(maxNorm > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(maxNorm), maxNorm, "The maximum gradient norm must be > 0.");
        }

        var list = parameters as IReadOnlyList<Parameter> ?? parameters.ToList();
        var norm = GlobalNorm(list);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var factor = ClipFactor(norm, maxNorm);
        foreach (var p in list)
        {
            p.grad?.mul_(factor.to_type(p.grad.dtype));
        }

        return norm;
    }

    /// <summary>The factor <c>maxNorm / max(‖g‖, maxNorm)</c> as a scalar tensor (1 when the norm is within the limit).</summary>
    internal static Tensor ClipFactor(Tensor norm, double maxNorm) =>
        double.IsPositiveInfinity(maxNorm) ? ones_like(norm) : norm.clamp_min(maxNorm).reciprocal_().mul_(maxNorm);
}
