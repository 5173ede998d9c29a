using Hermes.Augmentation;
using System.Runtime.CompilerServices;
using Hermes.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Data;

/// <summary>
/// Builds training batches from preprocessed cases: weighted case draws with replacement (mixing datasets freely), patch
/// positions with foreground oversampling, parallel patch reads from the memory-mapped cache, augmentation on the target
/// device, then per-task binary masks and task lists padded with the null token (−1) to the longest list in the batch + 1.
/// Batch <c>n</c> is a pure function of the seed and <c>n</c> (resuming at step n reproduces the uninterrupted run).
/// </summary>
public sealed class TrainingBatchSource : IBatchSource
{
    private const long CaseStream = 1;
    private const long PatchStream = 2;
    private const long AugmentStream = 3;
    private readonly IReadOnlyList<PreprocessedCase> cases;
    private readonly long[][] taskIds;
    private readonly int[][] labelValues;
    private readonly long[] modalityIds;
    private readonly double[] intensityProbability;
    private readonly WeightedCaseSampler caseSampler;
    private readonly PatchSampler patchSampler;
    private readonly BatchAugmenter? augmenter;
    private readonly Device device;
    private readonly int[] extractSize;
    private readonly int channels;

    /// <summary>Creates the source.</summary>
    /// <param name="catalog">The catalog declaring every case's dataset.</param>
    /// <param name="cases">The preprocessed cases (not owned: dispose them after the source).</param>
    /// <param name="options">Batch settings (validated here).</param>
    /// <param name="augmenter">The augmentation, or <see langword="null"/> for none.</param>
    /// <param name="device">Where batches are built and returned (default CPU).</param>
    public TrainingBatchSource(TaskCatalog catalog, IReadOnlyList<PreprocessedCase> cases, TrainingBatchOptions options, BatchAugmenter? augmenter = null, Device? device = null)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        ArgumentNullException.ThrowIfNull(cases);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        HermesRuntime.EnsureInitialized();
        if (cases.Count == 0)
        {
            throw new ArgumentException("No training cases.", nameof(cases));
        }

        channels = cases[0].Shape[0];
        var odd = cases.FirstOrDefault(c => c.Shape[0] != channels);
        if (odd is not null)
        {
            throw new ArgumentException($"Cases have different channel counts: '{cases[0].Path}' has {channels}, '{odd.Path}' has {odd.Shape[0]}.", nameof(cases));
        }

        this.cases = cases;
        Options = options;
        this.augmenter = augmenter;
        this.device = device ?? CPU;
        taskIds = [.. cases.Select(c => catalog.TaskIds(c.Dataset))];
        labelValues = [.. cases.Select(c => catalog[c.Dataset].Labels.Select(l => l.Value).ToArray())];
        modalityIds = [.. cases.Select(c => catalog.ModalityId(c.Dataset, c.Modality))];
        intensityProbability = [.. cases.Select(c => catalog[c.Dataset].IntensityAugmentationProbability)];
        caseSampler = new WeightedCaseSampler([.. cases.Select(c => catalog[c.Dataset].SampleWeight)]);
        patchSampler = new PatchSampler(options.ForegroundRatio);
        var margin = augmenter?.UsesSpatialTransform == true ? options.EffectiveMargin() : [0, 0, 0];
        extractSize = [.. options.PatchSize.Select((p, a) => p + (2 * margin[a]))];
    }

    /// <summary>The batch settings.</summary>
    public TrainingBatchOptions Options { get; }

    /// <summary>Batches <see cref="ReadAsync"/> keeps ready ahead of the trainer (default 2).</summary>
    public int PrefetchCapacity { get; init; } = 2;

    /// <summary>Each case's probability per draw.</summary>
    public IReadOnlyList<double> CaseProbabilities => caseSampler.Probabilities;

    /// <summary>Builds batch <paramref name="index"/> (deterministic in the seed and the index; thread-safe).</summary>
    /// <param name="index">The batch (step) index.</param>
    /// <returns>The batch, on the source's device; the caller owns it (no dispose scope of the calling thread takes it): dispose it.</returns>
    /// <exception cref="ObjectDisposedException">A case it reads was disposed.</exception>
    public TrainingBatch GetBatch(long index)
    {
        var batch = Options.BatchSize;
        var caseRandom = SeedSequence.CreateRandom(Options.Seed, CaseStream, index);
        var chosen = new int[batch];
        for (var b = 0; b < batch; b++)
        {
            chosen[b] = caseSampler.Next(caseRandom);
        }

        int ed = extractSize[0], eh = extractSize[1], ew = extractSize[2];
        var voxels = ed * eh * ew;
        // Patches are copied from the memory-mapped cache straight into (pinned, native) CPU tensor memory.
        using var scope = NewDisposeScope();
        var hostImage = empty([batch, channels, ed, eh, ew], ScalarType.Float32);
        var hostLabel = empty([batch, ed, eh, ew], ScalarType.Byte);
        ReadPatches(index, chosen, hostImage, hostLabel, channels * voxels, voxels);
        var image = hostImage.to(device);
        var label = hostLabel.to(device);
        if (augmenter is not null)
        {
            (image, label) = augmenter.Apply(image, label, Options.PatchSize, [.. chosen.Select(c => intensityProbability[c])], SeedSequence.Derive(Options.Seed, AugmentStream, index));
        }
        else if (!extractSize.SequenceEqual(Options.PatchSize))
        {
            image = SpatialTransform.CenterCrop(image, Options.PatchSize);
            label = SpatialTransform.CenterCrop(label.unsqueeze(1), Options.PatchSize).squeeze(1);
        }

        var t = chosen.Max(c => taskIds[c].Length) + 1;
        var tasks = new long[batch * t];
        var values = new short[batch * t];
        Array.Fill(tasks, TaskVocabulary.NullTask);
        Array.Fill(values, (short)-1);
        for (var b = 0; b < batch; b++)
        {
            taskIds[chosen[b]].CopyTo(tasks, b * t);
            for (var j = 0; j < labelValues[chosen[b]].Length; j++)
            {
                values[(b * t) + j] = (short)labelValues[chosen[b]][j];
            }
        }

        var valueTensor = tensor(values).view(batch, t, 1, 1, 1).to(device);
        var masks = label.unsqueeze(1).to(ScalarType.Int16).eq(valueTensor).to(ScalarType.Byte);
        // Detached, not moved to the outer scope: the batch owns its tensors wherever it is built, and a caller's (or the
        // prefetcher thread's) ambient dispose scope never frees them. Every other tensor here ends with this scope.
        return new TrainingBatch(
            image.contiguous().DetachFromDisposeScope(),
            masks.DetachFromDisposeScope(),
            tensor(tasks).view(batch, t).to(device).DetachFromDisposeScope(),
            tensor(chosen.Select(c => modalityIds[c]).ToArray()).to(device).DetachFromDisposeScope());
    }

    private unsafe void ReadPatches(long index, int[] chosen, Tensor hostImage, Tensor hostLabel, int imageStride, int labelStride)
    {
        nint imagePointer, labelPointer;
        fixed (byte* pi = hostImage.bytes)
        {
            imagePointer = (nint)pi;
        }

        fixed (byte* pl = hostLabel.bytes)
        {
            labelPointer = (nint)pl;
        }

        try
        {
            Parallel.For(0, chosen.Length, new ParallelOptions { MaxDegreeOfParallelism = Options.MaxParallelism }, b =>
            {
                var source = cases[chosen[b]];
                var draw = patchSampler.Draw(source, extractSize, SeedSequence.CreateRandom(Options.Seed, PatchStream, index, b));
                var imageSpan = new Span<float>((float*)imagePointer + ((long)b * imageStride), imageStride);
                var labelSpan = new Span<byte>((byte*)labelPointer + ((long)b * labelStride), labelStride);
                source.ReadPatch(draw.Start, extractSize, imageSpan, labelSpan);
            });
        }
        catch (AggregateException ex) when (ex.InnerExceptions.Count > 0)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerExceptions[0]).Throw();
        }
    }

    /// <summary>The cases batch <paramref name="index"/> is drawn from, as <c>dataset/case</c> (for logging; cheap, no I/O).</summary>
    /// <param name="index">The batch index.</param>
    /// <returns>One entry per sample.</returns>
    public IReadOnlyList<string> CasesOf(long index)
    {
        var caseRandom = SeedSequence.CreateRandom(Options.Seed, CaseStream, index);
        return [.. Enumerable.Range(0, Options.BatchSize).Select(_ => caseSampler.Next(caseRandom)).Select(c => $"{cases[c].Dataset}/{cases[c].CaseId}")];
    }

    /// <inheritdoc />
    public async IAsyncEnumerable<TrainingBatch> ReadAsync(long firstStep, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        await using var prefetcher = Prefetch(firstStep, PrefetchCapacity, cancellationToken);
        while (!cancellationToken.IsCancellationRequested)
        {
            yield return await prefetcher.NextAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>Starts building batches <paramref name="firstIndex"/>, +1, … in the background (see <see cref="BatchPrefetcher"/>).</summary>
    /// <param name="firstIndex">The first batch index (the step to resume at).</param>
    /// <param name="capacity">Batches kept ready (bounded; the producer waits when full).</param>
    /// <param name="cancellationToken">Stops the producer.</param>
    /// <returns>The prefetcher (dispose it to stop).</returns>
    public BatchPrefetcher Prefetch(long firstIndex = 0, int capacity = 2, CancellationToken cancellationToken = default) =>
        new(GetBatch, firstIndex, capacity, cancellationToken);
}
