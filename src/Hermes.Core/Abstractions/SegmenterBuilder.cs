using Hermes.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Abstractions;

/// <summary>
/// Composes a <see cref="UniversalSegmenter"/> in code: a backbone, prior fusions after chosen stages, a posterior
/// head, an optional modality head and optional deep-supervision heads.
/// </summary>
/// <example>
/// <code>
/// var model = new SegmenterBuilder()
///     .WithBackbone(myBackbone)
///     .WithVocabulary(taskCount: 72, modalityCount: 6)
///     .FuseAfter("down2", "prior_init_fuse_2", new PriorInitFusionLayer(128, 2, 72, 6))
///     .WithPosteriorHead("out", new HierarchyPriorClassifier(posteriorWidth, featureChannels))
///     .WithModalityHead("mod_out", new ModalityClassifier(posteriorWidth, 6))
///     .Build();
/// </code>
/// </example>
public sealed class SegmenterBuilder
{
    private readonly List<FusionPoint> fusions = [];
    private readonly List<DeepSupervisionPoint> deepSupervision = [];
    private IHierarchicalBackbone? backbone;
    private IPosteriorHead? head;
    private string headName = "out";
    private IModalityHead? modalityHead;
    private string modalityHeadName = "mod_out";
    private int taskCount = -1;
    private int modalityCount = -1;

    /// <summary>Sets the backbone (a TorchSharp module implementing <see cref="IHierarchicalBackbone"/>).</summary>
    /// <param name="value">The backbone.</param>
    public SegmenterBuilder WithBackbone(IHierarchicalBackbone value)
    {
        backbone = RequireModule(value, nameof(value));
        return this;
    }

    /// <summary>Sets the vocabulary used to validate indices: tn task ids and mn modality ids.</summary>
    /// <param name="taskCount">tn (task indices −1 … tn − 1 are valid).</param>
    /// <param name="modalityCount">mn (modality indices −1 … mn − 1 are valid).</param>
    public SegmenterBuilder WithVocabulary(int taskCount, int modalityCount)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(taskCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(modalityCount, 1);
        this.taskCount = taskCount;
        this.modalityCount = modalityCount;
        return this;
    }

    /// <summary>Inserts a prior fusion after a backbone stage.</summary>
    /// <param name="stage">Name of the stage whose output is fused (one of the backbone's <see cref="IHierarchicalBackbone.Stages"/>).</param>
    /// <param name="name">State-dict name of the fusion module.</param>
    /// <param name="fusion">The fusion (a TorchSharp module).</param>
    public SegmenterBuilder FuseAfter(string stage, string name, IPriorFusion fusion)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(stage);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        fusions.Add(new FusionPoint(stage, name, RequireModule(fusion, nameof(fusion))));
        return this;
    }

    /// <summary>Sets the posterior (segmentation) head.</summary>
    /// <param name="name">State-dict name (<c>out</c> in Hermes-R, <c>out_classifier</c> in Hermes-M).</param>
    /// <param name="value">The head (a TorchSharp module).</param>
    public SegmenterBuilder WithPosteriorHead(string name, IPosteriorHead value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        head = RequireModule(value, nameof(value));
        headName = name;
        return this;
    }

    /// <summary>Sets the modality head.</summary>
    /// <param name="name">State-dict name (<c>mod_out</c> in the reference).</param>
    /// <param name="value">The head (a TorchSharp module).</param>
    public SegmenterBuilder WithModalityHead(string name, IModalityHead value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        modalityHead = RequireModule(value, nameof(value));
        modalityHeadName = name;
        return this;
    }

    /// <summary>Adds a deep-supervision head reading a stage's output.</summary>
    /// <param name="stage">Stage name.</param>
    /// <param name="name">State-dict name (<c>aux_classifier</c> in Hermes-M).</param>
    /// <param name="value">The head (a TorchSharp module).</param>
    public SegmenterBuilder WithDeepSupervision(string stage, string name, IPosteriorHead value)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(stage);
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        deepSupervision.Add(new DeepSupervisionPoint(stage, name, RequireModule(value, nameof(value))));
        return this;
    }

    /// <summary>Validates the composition (stage names, widths, unique names) and builds the segmenter.</summary>
    /// <exception cref="InvalidOperationException">A part is missing or the parts do not fit together; the message says which.</exception>
    public UniversalSegmenter Build()
    {
        HermesRuntime.EnsureInitialized();
        if (backbone is null)
        {
            throw new InvalidOperationException("No backbone: call WithBackbone first.");
        }

        if (head is null)
        {
            throw new InvalidOperationException("No posterior head: call WithPosteriorHead.");
        }

        if (taskCount < 0)
        {
            throw new InvalidOperationException("No vocabulary: call WithVocabulary(taskCount, modalityCount).");
        }

        var stages = backbone.Stages.ToDictionary(s => s.Name);
        var order = backbone.Stages.Select((s, i) => (s.Name, i)).ToDictionary(p => p.Name, p => p.i);
        var widths = new List<(int Order, int Width)>();
        foreach (var f in fusions)
        {
            if (!stages.TryGetValue(f.AfterStage, out var stage))
            {
                throw new InvalidOperationException(
                    $"Fusion '{f.Name}' is inserted after stage '{f.AfterStage}', which the backbone does not have (stages: {string.Join(", ", stages.Keys)}).");
            }

            if (stage.Channels != f.Fusion.Dim)
            {
                throw new InvalidOperationException(
                    $"Fusion '{f.Name}' has width {f.Fusion.Dim} but stage '{stage.Name}' outputs {stage.Channels} channels.");
            }

            widths.Add((order[stage.Name], f.Fusion.Dim));
        }

        var posteriorWidth = widths.Sum(w => w.Width) +
                             (backbone is IPriorFusingBackbone pf ? pf.PosteriorWidths.Sum() : 0);
        if (posteriorWidth == 0)
        {
            throw new InvalidOperationException("The composition produces no posteriors: insert at least one fusion (FuseAfter).");
        }

        if (head.PosteriorWidth != posteriorWidth)
        {
            throw new InvalidOperationException(
                $"The posterior head expects width {head.PosteriorWidth}, but the fusions produce {posteriorWidth} in total.");
        }

        if (head.FeatureChannels != backbone.OutputChannels)
        {
            throw new InvalidOperationException(
                $"The posterior head applies to {head.FeatureChannels} channels, but the backbone outputs {backbone.OutputChannels}.");
        }

        foreach (var a in deepSupervision)
        {
            if (!stages.TryGetValue(a.AfterStage, out var stage))
            {
                throw new InvalidOperationException($"Deep-supervision head '{a.Name}' reads unknown stage '{a.AfterStage}'.");
            }

            if (stage.Channels != a.Head.FeatureChannels)
            {
                throw new InvalidOperationException(
                    $"Deep-supervision head '{a.Name}' applies to {a.Head.FeatureChannels} channels; stage '{stage.Name}' outputs {stage.Channels}.");
            }
        }

        if (modalityHead is not null && modalityHead.ModalityCount != modalityCount)
        {
            throw new InvalidOperationException(
                $"The modality head predicts {modalityHead.ModalityCount} classes; the vocabulary has {modalityCount} modalities.");
        }

        var names = ((nn.Module)backbone).named_children().Select(c => c.name)
            .Concat(fusions.Select(f => f.Name)).Concat(deepSupervision.Select(a => a.Name)).Append(headName);
        if (modalityHead is not null)
        {
            names = names.Append(modalityHeadName);
        }

        var duplicate = names.GroupBy(n => n).FirstOrDefault(g => g.Count() > 1);
        if (duplicate is not null)
        {
            throw new InvalidOperationException($"Module name '{duplicate.Key}' is used twice; every part needs its own name.");
        }

        var orderedFusions = fusions.OrderBy(f => order[f.AfterStage]).ToList();
        return new UniversalSegmenter(backbone, orderedFusions, head, headName, modalityHead, modalityHeadName,
            deepSupervision.ToList(), taskCount, modalityCount);
    }

    private static T RequireModule<T>(T value, string parameter)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(value, parameter);
        if (value is not nn.Module)
        {
            throw new ArgumentException(
                $"{value.GetType().Name} must derive from TorchSharp's nn.Module so its parameters are registered.", parameter);
        }

        return value;
    }
}
