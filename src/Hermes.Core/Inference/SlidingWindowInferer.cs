using Hermes.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Inference;

/// <summary>
/// Sliding-window inference over whole volumes: overlapping windows, optional mirroring TTA, per-task sigmoid
/// probabilities stitched on the fly with importance weighting (Gaussian or uniform).
/// </summary>
/// <remarks>
/// <para>
/// Input [C, D, H, W] or [B, C, D, H, W]; output float32 probabilities [T, D, H, W] or [B, T, D, H, W] in the input's
/// geometry, where T is the number of model output channels. An axis shorter than the window is padded at its end with
/// <see cref="SlidingWindowOptions.PadValue"/> for the model, and only the voxels inside the volume are stitched.
/// </para>
/// <para>
/// Memory (output device): one float32 accumulator of the output's size (B·T·D·H·W, which becomes the returned tensor —
/// the final division is in place), one float32 weight map D·H·W, and the windows of one batch with their model output.
/// A padded copy of the input is made only when an axis is shorter than the window.
/// </para>
/// </remarks>
public sealed class SlidingWindowInferer
{
    private readonly SlidingWindowOptions options;

    /// <summary>Creates an inferer.</summary>
    /// <param name="options">The options; validated here.</param>
    public SlidingWindowInferer(SlidingWindowOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        this.options = options;
        HermesRuntime.EnsureInitialized();
    }

    /// <summary>Infers with a model that maps windows [N, C, d, h, w] to logits [N, T, d, h, w].</summary>
    /// <param name="input">The volume(s), [C, D, H, W] or [B, C, D, H, W].</param>
    /// <param name="model">The model call.</param>
    /// <param name="progress">Receives progress after each batch of windows.</param>
    /// <param name="cancellationToken">Checked before each batch of windows.</param>
    /// <returns>Probabilities, [T, D, H, W] or [B, T, D, H, W], float32.</returns>
    public Tensor Infer(Tensor input, Func<Tensor, Tensor> model, IProgress<SlidingWindowProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Infer(input, new ModelPredictor(model), progress, cancellationToken);
    }

    /// <summary>Infers with a window predictor (which also receives where each window lies).</summary>
    /// <param name="input">The volume(s), [C, D, H, W] or [B, C, D, H, W].</param>
    /// <param name="predictor">The model call.</param>
    /// <param name="progress">Receives progress after each batch of windows.</param>
    /// <param name="cancellationToken">Checked before each batch of windows.</param>
    /// <returns>Probabilities, [T, D, H, W] or [B, T, D, H, W], float32.</returns>
    /// <exception cref="ArgumentException">The input is not 4D/5D, or the model's output has the wrong shape.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; nothing is returned and the buffers are released.</exception>
    public Tensor Infer(Tensor input, IWindowPredictor predictor, IProgress<SlidingWindowProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(predictor);
        options.Validate(); // the options object may have been changed since construction
        if (input.dim() is not (4 or 5))
        {
            throw new ArgumentException($"Sliding-window input must be [C, D, H, W] or [B, C, D, H, W]; got [{string.Join(", ", input.shape)}].", nameof(input));
        }

        using var noGrad = no_grad();
        var batched = input.dim() == 5;
        var volumes = batched ? (int)input.shape[0] : 1;
        var (d, h, w) = ((int)input.shape[^3], (int)input.shape[^2], (int)input.shape[^1]);
        var (wd, wh, ww) = options.WindowSize;
        var outputDevice = options.OutputDevice ?? input.device;
        var windowDevice = options.WindowDevice ?? input.device;

        var zs = WindowGrid.Starts(options.StartPolicy, d, wd, options.Overlap);
        var ys = WindowGrid.Starts(options.StartPolicy, h, wh, options.Overlap);
        var xs = WindowGrid.Starts(options.StartPolicy, w, ww, options.Overlap);
        var placements = new List<WindowPlacement>(volumes * zs.Length * ys.Length * xs.Length);
        for (var b = 0; b < volumes; b++)
        {
            foreach (var z in zs)
            {
                foreach (var y in ys)
                {
                    foreach (var x in xs)
                    {
                        placements.Add(new WindowPlacement(b, z, y, x));
                    }
                }
            }
        }

        var mirrors = MirrorSets(options.MirrorAxes);
        Tensor? accumulator = null;
        try
        {
            using var padded = PadToWindow(batched ? input.alias() : input.unsqueeze(0), d, h, w);
            using var importance = ImportanceMap.Create(options.WindowSize, options.Weighting, options.GaussianSigmaScale, outputDevice);
            using var weights = zeros([d, h, w], ScalarType.Float32, outputDevice);
            foreach (var p in placements.Where(p => p.Volume == 0))
            {
                var (vz, vy, vx) = (Math.Min(wd, d - p.Z), Math.Min(wh, h - p.Y), Math.Min(ww, w - p.X));
                using var target = weights.narrow(0, p.Z, vz).narrow(1, p.Y, vy).narrow(2, p.X, vx);
                using var source = importance.narrow(0, 0, vz).narrow(1, 0, vy).narrow(2, 0, vx);
                target.add_(source);
            }

            var done = 0;
            for (var first = 0; first < placements.Count; first += options.WindowsPerBatch)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var batch = placements.GetRange(first, Math.Min(options.WindowsPerBatch, placements.Count - first));
                using var scope = NewDisposeScope();
                var windows = stack(batch.Select(p => padded[p.Volume].narrow(1, p.Z, wd).narrow(2, p.Y, wh).narrow(3, p.X, ww)), 0).to(windowDevice);
                var probabilities = PredictMirrored(predictor, windows, batch, mirrors).to(outputDevice);
                if (accumulator is null)
                {
                    accumulator = zeros([volumes, probabilities.shape[1], d, h, w], ScalarType.Float32, outputDevice);
                    accumulator.DetachFromDisposeScope();
                }
                else if (probabilities.shape[1] != accumulator.shape[1])
                {
                    throw new ArgumentException($"The model returned {probabilities.shape[1]} channels for windows {first}–{first + batch.Count - 1} but {accumulator.shape[1]} before.", nameof(predictor));
                }

                probabilities.mul_(importance);
                for (var i = 0; i < batch.Count; i++)
                {
                    var p = batch[i];
                    var (vz, vy, vx) = (Math.Min(wd, d - p.Z), Math.Min(wh, h - p.Y), Math.Min(ww, w - p.X));
                    accumulator[p.Volume].narrow(1, p.Z, vz).narrow(2, p.Y, vy).narrow(3, p.X, vx)
                        .add_(probabilities[i].narrow(1, 0, vz).narrow(2, 0, vy).narrow(3, 0, vx));
                }

                done += batch.Count;
                progress?.Report(new SlidingWindowProgress(done, placements.Count));
            }

            accumulator!.div_(weights);
            var result = batched ? accumulator : accumulator.squeeze_(0);
            accumulator = null;
            return result;
        }
        finally
        {
            accumulator?.Dispose();
        }
    }

    private Tensor PredictMirrored(IWindowPredictor predictor, Tensor windows, IReadOnlyList<WindowPlacement> batch, long[][] mirrors)
    {
        Tensor? sum = null;
        foreach (var dims in mirrors)
        {
            var input = dims.Length == 0 ? windows : windows.flip(dims);
            var logits = predictor.Predict(input, batch);
            var expected = new[] { windows.shape[0], -1, windows.shape[2], windows.shape[3], windows.shape[4] };
            if (logits.dim() != 5 || logits.shape[0] != expected[0] || logits.shape[2] != expected[2] || logits.shape[3] != expected[3] || logits.shape[4] != expected[4])
            {
                throw new ArgumentException($"The model must return [N, T, d, h, w] = [{expected[0]}, T, {expected[2]}, {expected[3]}, {expected[4]}] for windows [{string.Join(", ", windows.shape)}]; got [{string.Join(", ", logits.shape)}].", nameof(predictor));
            }

            var p = options.ApplySigmoid ? logits.sigmoid() : logits.to(ScalarType.Float32).clone(); // never modify the model's tensor
            if (dims.Length != 0)
            {
                p = p.flip(dims);
            }

            sum = sum is null ? p.to(ScalarType.Float32) : sum.add_(p);
        }

        return mirrors.Length == 1 ? sum! : sum!.div_(mirrors.Length);
    }

    private Tensor PadToWindow(Tensor volumes, int d, int h, int w)
    {
        var (wd, wh, ww) = options.WindowSize;
        var (pd, ph, pw) = (Math.Max(0, wd - d), Math.Max(0, wh - h), Math.Max(0, ww - w));
        if (pd == 0 && ph == 0 && pw == 0)
        {
            return volumes;
        }

        using (volumes)
        {
            return nn.functional.pad(volumes, [0, pw, 0, ph, 0, pd], PaddingModes.Constant, options.PadValue);
        }
    }

    /// <summary>Every subset of the mirror axes as tensor dims of a [N, C, d, h, w] window batch; the identity first.</summary>
    private static long[][] MirrorSets(IReadOnlyList<int> axes)
    {
        var sets = new long[1 << axes.Count][];
        for (var mask = 0; mask < sets.Length; mask++)
        {
            sets[mask] = [.. Enumerable.Range(0, axes.Count).Where(i => (mask & (1 << i)) != 0).Select(i => (long)axes[i] + 2)];
        }

        return sets;
    }

    private sealed class ModelPredictor(Func<Tensor, Tensor> model) : IWindowPredictor
    {
        public Tensor Predict(Tensor windows, IReadOnlyList<WindowPlacement> placements) => model(windows);
    }
}
