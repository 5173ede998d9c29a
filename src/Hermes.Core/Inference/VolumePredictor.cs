using Hermes.Abstractions;
using Hermes.Checkpoints;
using Hermes.Data;
using Hermes.IO;
using Hermes.Preprocessing;
using Hermes.Runtime;
using Hermes.Volumes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Inference;

/// <summary>
/// Segments a volume with a model and its sidecar, returning labels in the volume's ORIGINAL grid (shape, affine,
/// orientation): reorient to canonical RAS → resample to the sidecar's spacing (trilinear) → normalise with the
/// sidecar's rule for the modality → sliding window (sigmoid per task, the requested tasks plus exactly one null
/// token, hermes-reference.md §11) → per task, one at a time: resample the probability back to the canonical original
/// grid (trilinear), undo the reorientation (an exact permutation/flip), threshold, postprocess → mask or label map.
/// </summary>
/// <remarks>
/// <para><b>Why probabilities, not labels, are resampled back.</b> Thresholding a trilinearly resampled probability
/// gives the 0.5 iso-surface at the native resolution (smooth, sub-voxel boundaries, volumes preserved); resampling the
/// thresholded mask with nearest neighbour would reproduce the coarse model-grid staircase and shift boundaries by up
/// to half a model voxel. Because this is done for one task at a time, only one float32 task map exists at the
/// original resolution at any moment.</para>
/// <para><b>Memory.</b> Peak ≈ stitched probabilities of all tasks at the model's spacing (4 bytes × tasks × model-grid
/// voxels) + weights + the model-grid image + one float32 task map at the original resolution (+ its resampling
/// temporaries) + the outputs (1 byte per voxel per task for masks; for a label map 2 bytes + a 4-byte running
/// maximum). <see cref="PredictToFolder"/> writes each mask as soon as it is decided and keeps none.</para>
/// <para><b>Threads.</b> Thread-safe: one predictor (and one model) may serve calls from several threads at once, and each
/// call gives bit for bit what it gives alone on any thread — it runs with the process-wide intra-op thread count
/// (<see cref="IntraOpThreads"/>), and with the model constructor it keeps the model in evaluation mode until the last
/// concurrent call ends, which restores the model's training flag. A custom <see cref="IWindowPredictor"/> factory must be
/// safe to call from several threads at once. Do not train the model while it predicts (docs/concurrency.md).</para>
/// </remarks>
public sealed partial class VolumePredictor
{
    private readonly ModelSidecar sidecar;
    private readonly Func<IReadOnlyList<int>, int, IWindowPredictor> windowPredictors;
    private readonly ILogger logger;
    private readonly UniversalSegmenter? model;
    private readonly bool hasUnknownModalitySlot;

    /// <summary>Creates a predictor for a <see cref="UniversalSegmenter"/> described by <paramref name="sidecar"/>.</summary>
    /// <param name="model">The model (already on <paramref name="device"/>, weights loaded).</param>
    /// <param name="sidecar">Its sidecar: task and modality vocabularies, spacing, normalisation, patch size.</param>
    /// <param name="device">Where windows are evaluated; <see langword="null"/> = CPU. Stitching stays on the CPU.</param>
    /// <param name="logger">Optional logger.</param>
    /// <exception cref="ArgumentException">The sidecar's vocabularies exceed the model's.</exception>
    public VolumePredictor(UniversalSegmenter model, ModelSidecar sidecar, Device? device = null, ILogger? logger = null)
        : this(sidecar, (tasks, modality) => new SegmenterWindowPredictor(model, tasks, modality, device), logger)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (sidecar.Tasks.Count > model.TaskCount || sidecar.Modalities.Count > model.ModalityCount)
        {
            throw new ArgumentException($"The sidecar lists {sidecar.Tasks.Count} tasks and {sidecar.Modalities.Count} modalities but the model has {model.TaskCount} and {model.ModalityCount}.", nameof(sidecar));
        }

        // An unnamed last modality row is the unknown slot that modality id −1 selects (§14.2, AMOS-MR).
        hasUnknownModalitySlot = model.ModalityCount > sidecar.Modalities.Count;
        this.model = model;
    }

    /// <summary>
    /// Creates a predictor around any window model (the seam for custom models and tests): <paramref name="windowPredictors"/>
    /// receives the requested task ids (indices into <see cref="ModelSidecar.Tasks"/>) and the modality id and returns an
    /// <see cref="IWindowPredictor"/> giving exactly one logit channel per requested task, in that order.
    /// </summary>
    /// <param name="sidecar">The sidecar.</param>
    /// <param name="windowPredictors">Factory of window predictors.</param>
    /// <param name="logger">Optional logger.</param>
    public VolumePredictor(ModelSidecar sidecar, Func<IReadOnlyList<int>, int, IWindowPredictor> windowPredictors, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(sidecar);
        ArgumentNullException.ThrowIfNull(windowPredictors);
        sidecar.Validate();
        HermesRuntime.EnsureInitialized();
        this.sidecar = sidecar;
        this.windowPredictors = windowPredictors;
        this.logger = logger ?? NullLogger.Instance;
    }

    /// <summary>The sidecar this predictor follows.</summary>
    public ModelSidecar Sidecar => sidecar;

    /// <summary>Predicts and returns the labels as volumes on <paramref name="input"/>'s grid.</summary>
    /// <param name="input">The image (any orientation; all its channels are the model's input channels). Not modified.</param>
    /// <param name="request">Tasks and modality.</param>
    /// <param name="options">Options; <see langword="null"/> = defaults.</param>
    /// <param name="progress">Progress reports.</param>
    /// <param name="cancellationToken">Cancels between windows and between tasks.</param>
    /// <returns>The masks or label map; dispose it.</returns>
    /// <exception cref="ArgumentException">A task or modality is unknown, or no modality can be determined.</exception>
    public PredictionResult Predict(Volume input, PredictionRequest request, PredictionOptions? options = null, IProgress<PredictionProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        options ??= new PredictionOptions();
        var masks = new List<Volume>();
        var probabilities = new List<Volume>();
        Volume? labelMap = null;
        try
        {
            labelMap = Run(input, request, options, (_, mask) => masks.Add(new Volume(mask, input.Geometry)), progress, cancellationToken,
                (_, p) => probabilities.Add(new Volume(p, input.Geometry)));
            return new PredictionResult([.. request.Tasks], masks, labelMap, probabilities);
        }
        catch
        {
            masks.ForEach(m => m.Dispose());
            probabilities.ForEach(m => m.Dispose());
            labelMap?.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Predicts and writes NIfTI files with the input's shape and affine: for binary masks
    /// <c>folder/case/task.nii.gz</c> (uint8, each written as soon as it is decided), for a label map <c>folder/case.nii.gz</c>
    /// (uint8 when there are at most 255 tasks, else int16). Files are written atomically. Task and case names come from data
    /// (a sidecar, a file name), so the file stems are <see cref="SafeFileName.Map"/> of the task names and
    /// <see cref="SafeFileName.Create"/> of the case name: every file stays inside <paramref name="outputFolder"/>. When the
    /// call fails or is cancelled part-way, the files it wrote (and the folders it created, when left empty) are removed.
    /// With <see cref="PredictionOptions.KeepProbabilities"/> each task's probability map is written too:
    /// <c>folder/case_probabilities/task.nii.gz</c> (float32) or <c>folder/case_probabilities.npz</c> (float16), see
    /// <see cref="ProbabilityFormat"/>.
    /// </summary>
    /// <param name="input">The image.</param>
    /// <param name="outputFolder">The output folder (created when the first file is written, so a request that fails leaves none).</param>
    /// <param name="caseName">The case name (file stem).</param>
    /// <param name="request">Tasks and modality.</param>
    /// <param name="options">Options; <see langword="null"/> = defaults.</param>
    /// <param name="progress">Progress reports.</param>
    /// <param name="cancellationToken">Cancellation.</param>
    /// <returns>The written paths.</returns>
    public IReadOnlyList<string> PredictToFolder(Volume input, string outputFolder, string caseName, PredictionRequest request, PredictionOptions? options = null, IProgress<PredictionProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(outputFolder);
        ArgumentException.ThrowIfNullOrWhiteSpace(caseName);
        ArgumentNullException.ThrowIfNull(input);
        options ??= new PredictionOptions();
        var written = new List<string>();
        var maskWrite = new VolumeWriteOptions { DataType = VoxelType.UInt8, IsLabel = true };
        var caseStem = SafeFileName.Create(caseName);
        var taskStems = SafeFileName.Map(request.Tasks);
        var caseFolder = Path.Combine(outputFolder, caseStem);
        var probabilityFolder = Path.Combine(outputFolder, caseStem + "_probabilities");
        var created = new[] { outputFolder, caseFolder, probabilityFolder }.Where(f => !Directory.Exists(f)).ToArray();
        var halves = new List<Tensor>();
        try
        {
            using var labelMap = Run(input, request, options, (t, mask) =>
            {
                using var volume = new Volume(mask, input.Geometry);
                Directory.CreateDirectory(caseFolder);
                var path = Path.Combine(caseFolder, taskStems[t] + ".nii.gz");
                VolumeIO.Write(volume, path, maskWrite);
                written.Add(path);
            }, progress, cancellationToken, (t, probability) =>
            {
                if (options.ProbabilityFormat == ProbabilityFormat.NumpyFloat16)
                {
                    using (probability)
                    using (var map = probability[0])
                    {
                        halves.Add(map.to(ScalarType.Float16).DetachFromDisposeScope());
                    }

                    return;
                }

                using var volume = new Volume(probability, input.Geometry);
                var path = Path.Combine(probabilityFolder, taskStems[t] + ".nii.gz");
                VolumeIO.Write(volume, path, new VolumeWriteOptions { DataType = VoxelType.Float32 });
                written.Add(path);
            });
            if (labelMap is not null)
            {
                Directory.CreateDirectory(outputFolder);
                var path = Path.Combine(outputFolder, caseStem + ".nii.gz");
                VolumeIO.Write(labelMap, path, new VolumeWriteOptions { DataType = request.Tasks.Count <= 255 ? VoxelType.UInt8 : VoxelType.Int16, IsLabel = true });
                written.Add(path);
            }

            if (halves.Count > 0)
            {
                var path = Path.Combine(outputFolder, caseStem + "_probabilities.npz");
                using var stacked = stack(halves);
                using var affine = tensor(input.Geometry.Affine.Cast<double>().ToArray(), [4, 4], ScalarType.Float64);
                NumpyArchive.Write(path, [("probabilities", stacked), ("affine", affine), ("tasks", request.Tasks.ToArray())]);
                written.Add(path);
            }
        }
        catch
        {
            // Cancelled or failed part-way: no case is left with some of its masks (each file itself is written atomically).
            written.ForEach(File.Delete);
            foreach (var folder in created.Reverse().Where(f => Directory.Exists(f) && !Directory.EnumerateFileSystemEntries(f).Any()))
            {
                Directory.Delete(folder);
            }

            throw;
        }
        finally
        {
            halves.ForEach(h => h.Dispose());
        }

        return written;
    }

    /// <summary>Resolves task names to sidecar ids (case-insensitive).</summary>
    /// <param name="tasks">Task names.</param>
    /// <returns>The ids.</returns>
    /// <exception cref="ArgumentException">A name is unknown or repeated.</exception>
    public IReadOnlyList<int> TaskIds(IReadOnlyList<string> tasks)
    {
        ArgumentNullException.ThrowIfNull(tasks);
        if (tasks.Count == 0)
        {
            throw new ArgumentException("Request at least one task.", nameof(tasks));
        }

        var ids = new int[tasks.Count];
        for (var t = 0; t < tasks.Count; t++)
        {
            ids[t] = IndexOf(sidecar.Tasks, tasks[t]);
            if (ids[t] < 0)
            {
                throw new ArgumentException($"Task '{tasks[t]}' is not in the model's vocabulary ({sidecar.Tasks.Count} tasks: {string.Join(", ", sidecar.Tasks.Take(20))}{(sidecar.Tasks.Count > 20 ? ", …" : "")}).", nameof(tasks));
            }
        }

        if (ids.Distinct().Count() != ids.Length)
        {
            throw new ArgumentException($"Tasks are repeated: {string.Join(", ", tasks)}.", nameof(tasks));
        }

        return ids;
    }

    /// <summary>The modality name used for a volume: the request's, the sidecar's only one, or the volume's DICOM modality.</summary>
    /// <param name="request">The request.</param>
    /// <param name="input">The volume.</param>
    /// <returns>
    /// The sidecar's spelling of the modality, or <see cref="TaskVocabulary.UnknownModality"/> when the request names it and the
    /// model has an unnamed unknown slot (its last modality row, which modality id −1 selects).
    /// </returns>
    /// <exception cref="ArgumentException">The modality is not in the vocabulary or cannot be determined.</exception>
    public string ResolveModality(PredictionRequest request, Volume input)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(input);
        var known = string.Join(", ", hasUnknownModalitySlot ? [.. sidecar.Modalities, TaskVocabulary.UnknownModality] : sidecar.Modalities);
        if (request.Modality is { } explicitName)
        {
            var i = IndexOf(sidecar.Modalities, explicitName);
            if (i >= 0)
            {
                return sidecar.Modalities[i];
            }

            if (!hasUnknownModalitySlot || !string.Equals(explicitName, TaskVocabulary.UnknownModality, StringComparison.OrdinalIgnoreCase))
            {
                throw new ArgumentException($"Modality '{explicitName}' is not in the model's vocabulary ({known}).", nameof(request));
            }

            return sidecar.Preprocessing.Normalization.ContainsKey(TaskVocabulary.UnknownModality)
                ? TaskVocabulary.UnknownModality
                : throw new ArgumentException(
                    $"The model has an unknown-modality slot, but its sidecar gives no intensity normalisation for it (preprocessing.normalization.{TaskVocabulary.UnknownModality}); add one to predict with modality '{TaskVocabulary.UnknownModality}'.",
                    nameof(request));
        }

        if (sidecar.Modalities.Count == 1)
        {
            return sidecar.Modalities[0];
        }

        if (input.Metadata.Properties.TryGetValue("Modality", out var dicom) && IndexOf(sidecar.Modalities, dicom) is var j and >= 0)
        {
            return sidecar.Modalities[j];
        }

        throw new ArgumentException($"The modality of '{input.Metadata.Path ?? "the volume"}' cannot be determined from its metadata; give one of: {known}.", nameof(request));
    }

    private Volume? Run(Volume input, PredictionRequest request, PredictionOptions options, Action<int, Tensor> onMask, IProgress<PredictionProgress>? progress, CancellationToken cancellationToken,
        Action<int, Tensor>? onProbability = null)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var taskIds = TaskIds(request.Tasks);
        var modality = ResolveModality(request, input);
        var modalityId = IndexOf(sidecar.Modalities, modality); // −1 for the unknown slot
        var window = WindowOptions(options);
        var original = input.Geometry;
        var toCanonical = Reorientation.ToCanonical(original);
        var fromCanonical = toCanonical.Inverse;
        var canonical = toCanonical.Target;
        var modelGrid = Resampling.TargetForSpacing(canonical, sidecar.Preprocessing.TargetSpacing);
        var spacing = new VoxelSpacing(original.Spacing[2], original.Spacing[1], original.Spacing[0]);
        LogPlan(logger, original.ToString(), modelGrid.ToString(), taskIds.Count, modality);

        using var evaluation = model is null ? null : EvaluationModeLease.Enter(model);
        using var threads = IntraOpThreads.Use();
        using var noGrad = no_grad();
        Tensor probabilities;
        using (var finiteInput = FiniteVoxels(input.Data, options.NonFiniteVoxels)) // refused before any progress is reported
        {
            progress?.Report(new PredictionProgress("preprocess", 0, 1));
            using var image = Preprocess(finiteInput, toCanonical, canonical, modelGrid, sidecar.Preprocessing.Normalization[modality]);
            cancellationToken.ThrowIfCancellationRequested();
            progress?.Report(new PredictionProgress("preprocess", 1, 1));
            var inferer = new SlidingWindowInferer(window);
            probabilities = inferer.Infer(image, windowPredictors(taskIds, modalityId), progress is null ? null : new WindowProgress(progress), cancellationToken);
        }

        Tensor? labels = null;
        Tensor? best = null;
        try
        {
            using (probabilities)
            {
                if (probabilities.shape[0] != taskIds.Count)
                {
                    throw new InvalidOperationException($"The window model returned {probabilities.shape[0]} channels for {taskIds.Count} requested tasks.");
                }

                for (var t = 0; t < taskIds.Count; t++)
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    Tensor? decided = null;
                    Tensor? kept = null;
                    using (var scope = NewDisposeScope())
                    {
                        var p = BackToOriginal(probabilities[t].unsqueeze(0), modelGrid, canonical, fromCanonical)[0];
                        if (options.KeepProbabilities && onProbability is not null)
                        {
                            // [1, D, H, W], sharing p's storage (nothing below writes to p): no volume-sized copy.
                            kept = p.to(ScalarType.Float32).unsqueeze(0).contiguous().MoveToOuterDisposeScope();
                        }

                        var mask = p.gt(options.Threshold).to(ScalarType.Byte);
                        var post = options.PostprocessingFor(request.Tasks[t]);
                        if (post.IsEnabled)
                        {
                            mask = new MaskPostprocessor(post).Apply(mask, spacing);
                        }

                        if (options.Output == PredictionOutputKind.BinaryMasks)
                        {
                            decided = mask.unsqueeze(0).MoveToOuterDisposeScope(); // [1, D, H, W]: the volume takes it as is
                        }
                        else
                        {
                            labels ??= zeros([1, .. mask.shape], ScalarType.Int16).DetachFromDisposeScope();
                            var claim = mask.to(ScalarType.Bool);
                            if (options.OverlapRule == LabelOverlapRule.HighestProbability)
                            {
                                best ??= full_like(p, -1f).DetachFromDisposeScope();
                                claim = claim.logical_and_(p.gt(best));
                                best.masked_scatter_(claim, p.masked_select(claim));
                            }
                            else
                            {
                                claim = claim.logical_and_(labels[0].eq(0));
                            }

                            labels[0].masked_fill_(claim, t + 1);
                        }
                    }

                    if (kept is not null)
                    {
                        onProbability!(t, kept);
                    }

                    if (decided is not null)
                    {
                        onMask(t, decided);
                    }

                    progress?.Report(new PredictionProgress("tasks", t + 1, taskIds.Count));
                }
            }

            if (options.Output == PredictionOutputKind.BinaryMasks)
            {
                return null;
            }

            var map = new Volume(labels!, original);
            labels = null;
            return map;
        }
        finally
        {
            labels?.Dispose();
            best?.Dispose();
        }
    }

    private SlidingWindowOptions WindowOptions(PredictionOptions options)
    {
        var w = options.Window;
        var patch = sidecar.Preprocessing.PatchSize;
        return new SlidingWindowOptions
        {
            WindowSize = options.UseSidecarPatchSize ? (patch[0], patch[1], patch[2]) : w.WindowSize,
            Overlap = w.Overlap,
            StartPolicy = w.StartPolicy,
            WindowsPerBatch = w.WindowsPerBatch,
            Weighting = w.Weighting,
            GaussianSigmaScale = w.GaussianSigmaScale,
            MirrorAxes = options.MirrorTta ? [0, 1, 2] : w.MirrorAxes,
            ApplySigmoid = true,
            PadValue = w.PadValue,
            WindowDevice = w.WindowDevice,
            OutputDevice = CPU,
        };
    }

    /// <summary>
    /// The input with its non-finite voxels handled as <paramref name="handling"/> says; the input itself when it has none
    /// (one reduction; integer volumes are never checked). The caller disposes the result.
    /// </summary>
    private static Tensor FiniteVoxels(Tensor data, NonFiniteVoxelHandling handling)
    {
        if (!data.is_floating_point())
        {
            return data.alias();
        }

        using var scope = NewDisposeScope();
        var finite = isfinite(data);
        var count = data.numel() - finite.count_nonzero().ToInt64();
        if (count == 0)
        {
            return data.alias().MoveToOuterDisposeScope();
        }

        if (handling == NonFiniteVoxelHandling.Reject || count == data.numel())
        {
            var nan = isnan(data).count_nonzero().ToInt64();
            var remedy = count == data.numel()
                ? "no finite intensity is left to predict from."
                : "a model cannot segment them. Fix the image, or replace them with the smallest finite intensity (PredictionOptions.NonFiniteVoxels = ReplaceWithMinimum; hermes predict --non-finite replace-with-minimum).";
            throw new InvalidDataException(FormattableString.Invariant(
                $"The input volume has {count} non-finite voxels ({nan} NaN, {count - nan} ±∞) of {data.numel()}; {remedy}"));
        }

        var minimum = data.masked_select(finite).min();
        return where(finite, data, minimum.to(data.dtype)).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// [C, D, H, W] original → float32 [C, D', H', W'] canonical, at the model's spacing, normalised. Each intermediate is
    /// released as soon as the next exists (a dispose scope would keep them all alive: several volume copies at once).
    /// </summary>
    private static Tensor Preprocess(Tensor data, Reorientation toCanonical, VolumeGeometry canonical, VolumeGeometry modelGrid, Preprocessing.IntensityNormalization normalization)
    {
        var x = data.dtype == ScalarType.Float32 ? data.alias() : data.to(ScalarType.Float32); // the input itself is never modified
        if (!toCanonical.IsIdentity)
        {
            x = Replace(x, toCanonical.Apply(x));
        }

        if (!canonical.IsSameGrid(modelGrid, 1e-6))
        {
            x = Replace(x, Resampling.Resample(x, canonical, modelGrid, ResamplingMode.Linear));
        }

        switch (normalization.Clip)
        {
            case IntensityClipMode.FixedRange:
                x = Replace(x, x.clamp(normalization.Lower, normalization.Upper));
                break;
            case IntensityClipMode.Percentiles:
                var (low, high) = Preprocessing.IntensityTransforms.Percentiles(x, normalization.Lower, normalization.Upper);
                x = Replace(x, x.clamp(low, high));
                break;
        }

        if (normalization.ZScore)
        {
            var (std, mean) = std_mean(x);
            using (std)
            using (mean)
            using (var scale = std.clamp_min(1e-8))
            {
                x = Replace(x, x.sub(mean));
                x.div_(scale);
            }
        }

        return x.is_contiguous() ? x : Replace(x, x.contiguous());
    }

    private static Tensor Replace(Tensor old, Tensor replacement)
    {
        old.Dispose();
        return replacement;
    }

    /// <summary>Output slices resampled per slab when going back to the original grid.</summary>
    private const int BackSlab = 32;

    /// <summary>
    /// [1, D', H', W'] on the model grid → [1, D, H, W] on the original grid (trilinear, then exact reorientation). The
    /// resampling runs in slabs of <see cref="BackSlab"/> output slices, each from the few model-grid slices it needs
    /// (one extra on each side, so linear interpolation sees exactly what it would see on the whole grid): the
    /// resampler's temporaries stay a slab's size instead of several full-resolution volumes.
    /// </summary>
    private static Tensor BackToOriginal(Tensor probability, VolumeGeometry modelGrid, VolumeGeometry canonical, Reorientation fromCanonical)
    {
        if (canonical.IsSameGrid(modelGrid, 1e-6))
        {
            return fromCanonical.IsIdentity ? probability.alias() : fromCanonical.Apply(probability);
        }

        var depth = canonical.Shape[2];
        var sourceDepth = modelGrid.Shape[2];
        var p = empty([1, depth, canonical.Shape[1], canonical.Shape[0]], ScalarType.Float32);
        for (var k0 = 0; k0 < depth; k0 += BackSlab)
        {
            var k1 = Math.Min(depth, k0 + BackSlab);
            var first = SourceSlice(canonical, modelGrid, k0);
            var last = SourceSlice(canonical, modelGrid, k1 - 1);
            var s0 = Math.Clamp((int)Math.Floor(Math.Min(first, last)) - 1, 0, sourceDepth - 1);
            var s1 = Math.Clamp((int)Math.Ceiling(Math.Max(first, last)) + 1, 0, sourceDepth - 1);
            using var scope = NewDisposeScope();
            var source = probability.narrow(1, s0, s1 - s0 + 1);
            var slab = Resampling.Resample(source, Slices(modelGrid, s0, s1 - s0 + 1), Slices(canonical, k0, k1 - k0), ResamplingMode.Linear);
            p.narrow(1, k0, k1 - k0).copy_(slab);
        }

        return fromCanonical.IsIdentity ? p : Replace(p, fromCanonical.Apply(p));
    }

    /// <summary>The (fractional) model-grid slice index k' of original canonical slice k.</summary>
    private static double SourceSlice(VolumeGeometry canonical, VolumeGeometry modelGrid, int k)
    {
        var (x, y, z) = canonical.IndexToWorld(0, 0, k);
        return modelGrid.WorldToIndex(x, y, z).K;
    }

    /// <summary>The sub-grid of slices [k0, k0 + count) of a grid.</summary>
    private static VolumeGeometry Slices(VolumeGeometry grid, int k0, int count)
    {
        var affine = grid.Affine;
        var (x, y, z) = grid.IndexToWorld(0, 0, k0);
        (affine[0, 3], affine[1, 3], affine[2, 3]) = (x, y, z);
        return new VolumeGeometry(grid.Shape[0], grid.Shape[1], count, affine);
    }

    private static int IndexOf(IReadOnlyList<string> names, string name)
    {
        for (var i = 0; i < names.Count; i++)
        {
            if (string.Equals(names[i], name, StringComparison.OrdinalIgnoreCase))
            {
                return i;
            }
        }

        return -1;
    }

    [LoggerMessage(EventId = 40, Level = LogLevel.Information, Message = "Predicting {Tasks} task(s), modality {Modality}: original grid {Original}, model grid {ModelGrid}")]
    private static partial void LogPlan(ILogger logger, string original, string modelGrid, int tasks, string modality);

    /// <summary>Forwards window progress synchronously (Progress&lt;T&gt; would post to the thread pool).</summary>
    private sealed class WindowProgress(IProgress<PredictionProgress> target) : IProgress<SlidingWindowProgress>
    {
        public void Report(SlidingWindowProgress value) => target.Report(new PredictionProgress("windows", value.WindowsDone, value.WindowsTotal));
    }
}
