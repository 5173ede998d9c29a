using Hermes.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Training;

/// <summary>
/// Weight EMA as Hermes uses it (reference §10): after optimiser step <c>s</c> (0-based),
/// ema ← a·ema + (1 − a)·param with a = min(1 − 1/(s + 1), α); at s = 0 the weights are copied outright. Buffers are
/// copied, and so are parameters that do not require gradients (frozen by fine-tuning, see
/// <c>Hermes.Transfer.FineTuning</c>): averaging a constant is not exact in floating point, copying keeps them
/// bit-identical. The averaged model is what validation, testing and checkpoint selection use.
/// </summary>
public sealed class ExponentialMovingAverage
{
    private readonly (Tensor Source, Tensor Target)[] parameters;
    private readonly (Tensor Source, Tensor Target)[] buffers;

    /// <summary>Pairs the parameters and buffers of <paramref name="model"/> and <paramref name="average"/> by name.</summary>
    /// <param name="model">The trained model.</param>
    /// <param name="average">A model of the same architecture that holds the average (its initial values do not matter).</param>
    /// <param name="decay">α, the largest decay (0.99 in Hermes).</param>
    /// <exception cref="ArgumentException">The two models do not have the same parameter and buffer names and shapes.</exception>
    public ExponentialMovingAverage(nn.Module model, nn.Module average, double decay = 0.99)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(average);
        if (!(decay is >= 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(decay), decay, "The EMA decay α must be in [0, 1).");
        }

        if (ReferenceEquals(model, average))
        {
            throw new ArgumentException("The averaged model must be a separate instance.", nameof(average));
        }

        HermesRuntime.EnsureInitialized();
        Decay = decay;
        Average = average;
        parameters = Pair(model.named_parameters().Select(p => (p.name, (Tensor)p.parameter)),
            average.named_parameters().Select(p => (p.name, (Tensor)p.parameter)), "parameter");
        buffers = Pair(model.named_buffers(), average.named_buffers(), "buffer");
        foreach (var (_, target) in parameters)
        {
            target.requires_grad_(false);
        }
    }

    /// <summary>α, the largest decay.</summary>
    public double Decay { get; }

    /// <summary>The averaged model.</summary>
    public nn.Module Average { get; }

    /// <summary>The decay a used after step <paramref name="step"/>: min(1 − 1/(step + 1), α).</summary>
    /// <param name="step">0-based optimiser step.</param>
    public double DecayAt(long step)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        return Math.Min(1 - (1.0 / (step + 1)), Decay);
    }

    /// <summary>Folds the current weights in, after optimiser step <paramref name="step"/> (0-based).</summary>
    /// <param name="step">0-based optimiser step.</param>
    public void Update(long step)
    {
        var a = DecayAt(step);
        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        foreach (var (source, target) in parameters)
        {
            if (a == 0 || !source.requires_grad)
            {
                target.copy_(source);
            }
            else
            {
                target.mul_(a).add_(source, alpha: 1 - a);
            }
        }

        foreach (var (source, target) in buffers)
        {
            target.copy_(source);
        }
    }

    private static (Tensor, Tensor)[] Pair(IEnumerable<(string Name, Tensor Tensor)> model, IEnumerable<(string Name, Tensor Tensor)> average, string kind)
    {
        var targets = average.ToDictionary(p => p.Name, p => p.Tensor, StringComparer.Ordinal);
        var pairs = new List<(Tensor, Tensor)>();
        foreach (var (name, source) in model)
        {
            if (!targets.Remove(name, out var target))
            {
                throw new ArgumentException($"The averaged model has no {kind} '{name}'.", nameof(average));
            }

            if (!source.shape.SequenceEqual(target.shape))
            {
                throw new ArgumentException(
                    $"The {kind} '{name}' has shape [{string.Join(", ", source.shape)}] in the model and [{string.Join(", ", target.shape)}] in the averaged model.",
                    nameof(average));
            }

            pairs.Add((source, target));
        }

        if (targets.Count > 0)
        {
            throw new ArgumentException($"The averaged model has extra {kind}(s): {string.Join(", ", targets.Keys.Take(5))}.", nameof(average));
        }

        return [.. pairs];
    }
}
