using Hermes.Abstractions;
using Hermes.Priors.Fusion;
using Hermes.Priors.Heads;
using Hermes.Runtime;

namespace Hermes.Backbones;

/// <summary>Builds Hermes-R exactly as published (reference §2–§5): state-dict names equal the reference's; the task prior tables start as
/// <see cref="HermesROptions.TaskPriorInitialization"/> says.</summary>
public static class HermesR
{
    private static readonly (string Stage, string Name)[] FusionPoints =
    [
        ("down2", "prior_init_fuse_2"),
        ("down3", "prior_init_fuse_3"),
        ("down4", "prior_init_fuse_4"),
        ("up1", "prior_fuse_5"),
        ("up2", "prior_fuse_6"),
    ];

    /// <summary>Creates a randomly initialised Hermes-R (60,884,998 parameters with the default options).</summary>
    /// <param name="options">Options; <see langword="null"/> for the published configuration.</param>
    public static UniversalSegmenter Create(HermesROptions? options = null)
    {
        HermesRuntime.EnsureInitialized();
        options ??= new HermesROptions();
        if (options.FusionBlocks is null || options.FusionBlocks.Count != FusionPoints.Length || options.FusionBlocks.Any(b => b < 1))
        {
            throw new ArgumentException(
                $"FusionBlocks must hold {FusionPoints.Length} counts ≥ 1 (after down2, down3, down4, up1, up2).", nameof(options));
        }

        var backbone = new ResUNet(options.Backbone);
        var builder = new SegmenterBuilder()
            .WithBackbone(backbone)
            .WithVocabulary(options.TaskCount, options.ModalityCount);
        var width = 0;
        for (var i = 0; i < FusionPoints.Length; i++)
        {
            var (stage, name) = FusionPoints[i];
            var dim = backbone.Stages.Single(s => s.Name == stage).Channels;
            width += dim;
            builder.FuseAfter(stage, name, new PriorInitFusionLayer(dim, options.FusionBlocks[i], options.TaskCount,
                options.ModalityCount, options.TokensPerModality));
        }

        builder.WithPosteriorHead("out", new HierarchyPriorClassifier(width, backbone.OutputChannels));
        if (options.ModalityHead)
        {
            builder.WithModalityHead("mod_out", new ModalityClassifier(width, options.ModalityCount));
        }

        var model = builder.Build();
        TaskPriorInitializer.Apply(model, options.TaskPriorInitialization);
        return model;
    }
}
