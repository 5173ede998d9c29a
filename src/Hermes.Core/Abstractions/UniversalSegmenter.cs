using Hermes.Operations;
using Hermes.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Abstractions;

/// <summary>
/// A universal (prompted) 3D segmenter assembled from a hierarchical backbone, prior fusions inserted after chosen
/// stages, a posterior head, an optional modality head and optional deep-supervision heads.
/// </summary>
/// <remarks>
/// State-dict names are the parts' own names at the top level: the backbone's children (<c>inc</c>, <c>down1</c>, …),
/// each fusion's name (<c>prior_init_fuse_2</c>, …), the heads' names (<c>out</c>, <c>mod_out</c>) — exactly the reference
/// layout, so PyTorch checkpoints load by name. Build one with <see cref="SegmenterBuilder"/>.
/// </remarks>
public sealed class UniversalSegmenter : nn.Module<Tensor, Tensor, Tensor, SegmenterOutput>
{
    private readonly IReadOnlyList<FusionPoint> fusions;
    private readonly IReadOnlyList<DeepSupervisionPoint> deepSupervision;
    private readonly Dictionary<string, FusionPoint[]> fusionsByStage;
    private readonly Dictionary<string, DeepSupervisionPoint[]> auxByStage;

    internal UniversalSegmenter(
        IHierarchicalBackbone backbone,
        IReadOnlyList<FusionPoint> fusions,
        IPosteriorHead head,
        string headName,
        IModalityHead? modalityHead,
        string modalityHeadName,
        IReadOnlyList<DeepSupervisionPoint> deepSupervision,
        int taskCount,
        int modalityCount)
        : base(nameof(UniversalSegmenter))
    {
        HermesRuntime.EnsureInitialized();
        Backbone = backbone;
        this.fusions = fusions;
        this.deepSupervision = deepSupervision;
        Head = head;
        ModalityHead = modalityHead;
        TaskCount = taskCount;
        ModalityCount = modalityCount;
        fusionsByStage = fusions.GroupBy(f => f.AfterStage).ToDictionary(g => g.Key, g => g.ToArray());
        auxByStage = deepSupervision.GroupBy(f => f.AfterStage).ToDictionary(g => g.Key, g => g.ToArray());

        foreach (var (name, child) in ((nn.Module)backbone).named_children())
        {
            register_module(name, child);
            if (fusionsByStage.TryGetValue(name, out var points))
            {
                foreach (var p in points)
                {
                    register_module(p.Name, (nn.Module)p.Fusion);
                }
            }
        }

        foreach (var a in deepSupervision)
        {
            register_module(a.Name, (nn.Module)a.Head);
        }

        register_module(headName, (nn.Module)head);
        if (modalityHead is not null)
        {
            register_module(modalityHeadName, (nn.Module)modalityHead);
        }
    }

    /// <summary>The backbone (its children are this module's children).</summary>
    public IHierarchicalBackbone Backbone { get; }

    /// <summary>The prior fusions inserted after backbone stages, in execution order.</summary>
    public IReadOnlyList<FusionPoint> Fusions => fusions;

    /// <summary>The deep-supervision heads.</summary>
    public IReadOnlyList<DeepSupervisionPoint> DeepSupervision => deepSupervision;

    /// <summary>The posterior (segmentation) head.</summary>
    public IPosteriorHead Head { get; }

    /// <summary>The modality head, if any.</summary>
    public IModalityHead? ModalityHead { get; }

    /// <summary>Task vocabulary size tn: valid task indices are −1 (null) and 0 … tn − 1.</summary>
    public int TaskCount { get; }

    /// <summary>Number of modalities mn: valid modality indices are −1 (unknown) and 0 … mn − 1.</summary>
    public int ModalityCount { get; }

    /// <summary>Runs the model.</summary>
    /// <param name="input">Images <c>[B, C_in, D, H, W]</c>, floating point.</param>
    /// <param name="taskIndices">Task indices <c>[B, T]</c> int64, −1 = null token.</param>
    /// <param name="modalityIndices">Modality indices <c>[B, 1]</c> (or <c>[B]</c>) int64, −1 = unknown.</param>
    public override SegmenterOutput forward(Tensor input, Tensor taskIndices, Tensor modalityIndices) =>
        Forward(input, taskIndices, modalityIndices, observer: null);

    /// <summary>Runs the model, showing every stage output, fused map and posterior to <paramref name="observer"/>.</summary>
    /// <param name="input">Images <c>[B, C_in, D, H, W]</c>, floating point.</param>
    /// <param name="taskIndices">Task indices <c>[B, T]</c> int64, −1 = null token.</param>
    /// <param name="modalityIndices">Modality indices <c>[B, 1]</c> (or <c>[B]</c>) int64, −1 = unknown.</param>
    /// <param name="observer">Receives (name, tensor) pairs; tensors are disposed after the call, so clone what you keep.</param>
    public SegmenterOutput Forward(Tensor input, Tensor taskIndices, Tensor modalityIndices, Action<string, Tensor>? observer)
    {
        ArgumentNullException.ThrowIfNull(input);
        ArgumentNullException.ThrowIfNull(taskIndices);
        ArgumentNullException.ThrowIfNull(modalityIndices);
        using var scope = NewDisposeScope();
        if (modalityIndices.dim() == 1)
        {
            modalityIndices = modalityIndices.unsqueeze(1);
        }

        ValidateInput(input, taskIndices, modalityIndices);

        var request = new PriorRequest(taskIndices, modalityIndices);
        using var hook = new Hook(this, request, observer, input.shape[2..]);
        var features = Backbone.Forward(input, hook);
        observer?.Invoke("features", features);
        var logits = Head.Predict(hook.Posteriors, features, request.TaskCount);
        var modality = ModalityHead?.Predict(hook.Posteriors, request.TaskCount);
        var output = new SegmenterOutput(logits, hook.Auxiliary, modality);
        scope.MoveToOuter(logits);
        foreach (var a in hook.Auxiliary)
        {
            scope.Attach(a);
            scope.MoveToOuter(a);
        }

        if (modality is not null)
        {
            scope.MoveToOuter(modality);
        }

        return output;
    }

    private void ValidateInput(Tensor input, Tensor taskIndices, Tensor modalityIndices)
    {
        if (input.dim() != 5)
        {
            throw new ArgumentException(
                $"Input must be 5-D [B, C, D, H, W]; got shape [{string.Join(", ", input.shape)}].", nameof(input));
        }

        if (input.shape[1] != Backbone.InputChannels)
        {
            throw new ArgumentException(
                $"Input has {input.shape[1]} channel(s) (shape [{string.Join(", ", input.shape)}]); the backbone expects {Backbone.InputChannels}.",
                nameof(input));
        }

        if (!input.is_floating_point())
        {
            throw new ArgumentException($"Input must be floating point; got {input.dtype}.", nameof(input));
        }

        Backbone.ValidateSpatialSize(input.shape.AsSpan(2));
        var batch = input.shape[0];
        if (taskIndices.dim() != 2 || taskIndices.shape[0] != batch || taskIndices.dtype != ScalarType.Int64)
        {
            throw new ArgumentException(
                $"Task indices must be int64 [B={batch}, T]; got {taskIndices.dtype} [{string.Join(", ", taskIndices.shape)}].",
                nameof(taskIndices));
        }

        if (taskIndices.shape[1] < 1)
        {
            throw new ArgumentException("Task indices must request at least one task column (T ≥ 1).", nameof(taskIndices));
        }

        if (modalityIndices.dim() != 2 || modalityIndices.shape[0] != batch || modalityIndices.shape[1] != 1 ||
            modalityIndices.dtype != ScalarType.Int64)
        {
            throw new ArgumentException(
                $"Modality indices must be int64 [B={batch}, 1] or [B]; got {modalityIndices.dtype} [{string.Join(", ", modalityIndices.shape)}].",
                nameof(modalityIndices));
        }

        CheckRange(taskIndices, TaskCount, "Task", nameof(taskIndices));
        CheckRange(modalityIndices, ModalityCount, "Modality", nameof(modalityIndices));
    }

    private static void CheckRange(Tensor indices, int count, string what, string parameter)
    {
        using var scope = NewDisposeScope();
        var bad = indices.lt(-1).logical_or(indices.ge(count));
        if (bad.any().item<bool>())
        {
            var first = indices.masked_select(bad)[0].item<long>();
            throw new ArgumentOutOfRangeException(parameter, first,
                $"{what} index {first} is out of range: valid indices are −1 (null/unknown) and 0 … {count - 1}.");
        }
    }

    // Posteriors and auxiliary logits are produced inside the backbone's own dispose scopes; the hook detaches them from
    // those scopes so they live until the heads have run, and disposes the posteriors when the forward pass ends.
    private sealed class Hook(UniversalSegmenter owner, PriorRequest priors, Action<string, Tensor>? observer, long[] inputSize)
        : IStageHook, IDisposable
    {
        public List<Tensor> Posteriors { get; } = [];

        public List<Tensor> Auxiliary { get; } = [];

        public PriorRequest Priors { get; } = priors;

        public Tensor AfterStage(BackboneStage stage, Tensor features)
        {
            observer?.Invoke(stage.Name, features);
            if (owner.fusionsByStage.TryGetValue(stage.Name, out var points))
            {
                foreach (var p in points)
                {
                    var (fused, posterior) = p.Fusion.Fuse(features, Priors);
                    observer?.Invoke(p.Name, fused);
                    observer?.Invoke(p.Name + ".1", posterior);
                    Posteriors.Add(posterior.DetachFromDisposeScope());
                    features = fused;
                }
            }

            if (owner.auxByStage.TryGetValue(stage.Name, out var heads))
            {
                foreach (var a in heads)
                {
                    var logits = a.Head.Predict(Posteriors, features, Priors.TaskCount);
                    Auxiliary.Add(AlignedTrilinearUpsampling.Resize(logits, inputSize).DetachFromDisposeScope());
                }
            }

            return features;
        }

        public void AddPosterior(Tensor posterior) => Posteriors.Add(posterior.DetachFromDisposeScope());

        public void Dispose()
        {
            foreach (var p in Posteriors)
            {
                p.Dispose();
            }
        }

        public void Observe(string name, Tensor value) => observer?.Invoke(name, value);
    }
}
