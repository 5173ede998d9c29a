using Hermes.Abstractions;
using Hermes.Backbones.Blocks;
using Hermes.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Hermes.Backbones;

/// <summary>
/// A plain task-specific segmenter for comparisons: a hierarchical backbone without priors and a fixed number of
/// classes predicted by a 1×1×1 convolution (with bias). State-dict names: the backbone's children, then <c>out</c>.
/// </summary>
public sealed class TaskSpecificSegmenter : nn.Module<Tensor, Tensor>
{
    private readonly Conv3d head;

    /// <summary>Wraps a backbone (a TorchSharp module that fuses no priors) with a 1×1×1 classification head.</summary>
    /// <param name="backbone">The backbone.</param>
    /// <param name="classes">Number of output channels (classes).</param>
    public TaskSpecificSegmenter(IHierarchicalBackbone backbone, int classes)
        : base(nameof(TaskSpecificSegmenter))
    {
        HermesRuntime.EnsureInitialized();
        ArgumentNullException.ThrowIfNull(backbone);
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 1);
        if (backbone is not nn.Module module)
        {
            throw new ArgumentException($"{backbone.GetType().Name} must derive from TorchSharp's nn.Module.", nameof(backbone));
        }

        if (backbone is IPriorFusingBackbone { PosteriorWidths.Count: > 0 })
        {
            throw new ArgumentException("The backbone fuses priors; build it without priors for a task-specific model.", nameof(backbone));
        }

        Backbone = backbone;
        Classes = classes;
        foreach (var (name, child) in module.named_children())
        {
            register_module(name, child);
        }

        head = nn.Conv3d(backbone.OutputChannels, classes, 1);
        register_module("out", head);
    }

    /// <summary>The backbone.</summary>
    public IHierarchicalBackbone Backbone { get; }

    /// <summary>Number of classes.</summary>
    public int Classes { get; }

    /// <summary>The plain ResUNet (Hermes-R backbone, no fusion layers) with a 1×1×1 head.</summary>
    /// <param name="options">Backbone options; <see langword="null"/> for the published configuration.</param>
    /// <param name="classes">Number of classes.</param>
    public static TaskSpecificSegmenter ResUNet(ResUNetOptions? options, int classes) =>
        new(new ResUNet(options), classes);

    /// <summary>The plain MedFormer (Hermes-M backbone without prior pools) with a 1×1×1 head.</summary>
    /// <param name="options">Backbone options; <see langword="null"/> for the published configuration.</param>
    /// <param name="classes">Number of classes.</param>
    public static TaskSpecificSegmenter MedFormer(MedFormerOptions? options, int classes) =>
        new(new MedFormer(options, usePriors: false), classes);

    /// <summary>Computes logits <c>[B, classes, D, H, W]</c>.</summary>
    /// <param name="input">Images <c>[B, C_in, D, H, W]</c>.</param>
    public override Tensor forward(Tensor input)
    {
        ArgumentNullException.ThrowIfNull(input);
        if (input.dim() != 5 || input.shape[1] != Backbone.InputChannels)
        {
            throw new ArgumentException(
                $"Input must be [B, {Backbone.InputChannels}, D, H, W]; got [{string.Join(", ", input.shape)}].", nameof(input));
        }

        Backbone.ValidateSpatialSize(input.shape.AsSpan(2));
        using var features = Backbone.Forward(input, PassThroughHook.Instance);
        return head.forward(features);
    }
}
