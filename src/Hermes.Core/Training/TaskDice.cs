using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Training;

/// <summary>
/// Dice per (sample, task column) of binarised logits (logit &gt; 0 ⇔ p &gt; 0.5) against binary masks:
/// dice = 2·Σ(p·g) / (Σp + Σg + 1e-5) (reference §12).
/// </summary>
public static class TaskDice
{
    /// <summary>Smoothing term of the reference metric.</summary>
    public const double Smooth = 1e-5;

    /// <summary>Computes Dice and ground-truth presence for every (b, t) pair.</summary>
    /// <param name="logits">Logits <c>[B, T, D, H, W]</c>.</param>
    /// <param name="labels">Binary masks <c>[B, T, D, H, W]</c>.</param>
    /// <returns>Dice <c>[B, T]</c> float64 and a boolean <c>[B, T]</c> that is true where the mask has foreground.</returns>
    public static (Tensor Dice, Tensor Present) PerPair(Tensor logits, Tensor labels)
    {
        ArgumentNullException.ThrowIfNull(logits);
        ArgumentNullException.ThrowIfNull(labels);
        if (logits.dim() != 5 || !logits.shape.SequenceEqual(labels.shape))
        {
            throw new ArgumentException(
                $"Logits [{string.Join(", ", logits.shape)}] and labels [{string.Join(", ", labels.shape)}] must both be [B, T, D, H, W].");
        }

        using var scope = NewDisposeScope();
        using var noGrad = no_grad();
        var p = logits.gt(0).flatten(2).to_type(ScalarType.Float64);
        var g = labels.ne(0).flatten(2).to_type(ScalarType.Float64);
        var intersection = p.mul(g).sum(2);
        var gSum = g.sum(2);
        var dice = intersection.mul(2).div_(p.sum(2).add_(gSum).add_(Smooth));
        var present = gSum.gt(0);
        return (scope.MoveToOuter(dice), scope.MoveToOuter(present));
    }

    /// <summary>
    /// Adds the Dice of every (b, t) pair whose task index is not −1 and whose mask has foreground to per-task sums.
    /// </summary>
    /// <param name="logits">Logits <c>[B, T, D, H, W]</c>.</param>
    /// <param name="labels">Binary masks <c>[B, T, D, H, W]</c>.</param>
    /// <param name="taskIndices">Task indices <c>[B, T]</c> int64.</param>
    /// <param name="sums">Per-task running (sum of Dice, number of cases); updated in place.</param>
    public static void Accumulate(Tensor logits, Tensor labels, Tensor taskIndices, IDictionary<long, (double Sum, int Count)> sums)
    {
        ArgumentNullException.ThrowIfNull(taskIndices);
        ArgumentNullException.ThrowIfNull(sums);
        using var scope = NewDisposeScope();
        var (dice, present) = PerPair(logits, labels);
        var d = dice.cpu().data<double>().ToArray();
        var has = present.cpu().data<bool>().ToArray();
        var tasks = taskIndices.cpu().data<long>().ToArray();
        if (tasks.Length != d.Length)
        {
            throw new ArgumentException(
                $"Task indices [{string.Join(", ", taskIndices.shape)}] do not match logits [{string.Join(", ", logits.shape[..2])}].",
                nameof(taskIndices));
        }

        for (var i = 0; i < tasks.Length; i++)
        {
            if (tasks[i] < 0 || !has[i])
            {
                continue;
            }

            sums.TryGetValue(tasks[i], out var s);
            sums[tasks[i]] = (s.Sum + d[i], s.Count + 1);
        }
    }
}
