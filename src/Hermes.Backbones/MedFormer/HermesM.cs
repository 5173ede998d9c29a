using Hermes.Abstractions;
using Hermes.Priors.Fusion;
using Hermes.Priors.Heads;
using Hermes.Runtime;

namespace Hermes.Backbones;

/// <summary>Builds Hermes-M exactly as published (reference §6): state-dict names equal the reference's; the task prior tables start as
/// <see cref="HermesMOptions.TaskPriorInitialization"/> says.</summary>
public static class HermesM
{
    /// <summary>Creates a randomly initialised Hermes-M (47,129,990 parameters with the default options).</summary>
    /// <param name="options">Options; <see langword="null"/> for the published configuration.</param>
    public static UniversalSegmenter Create(HermesMOptions? options = null)
    {
        HermesRuntime.EnsureInitialized();
        options ??= new HermesMOptions();
        var backbone = new MedFormer(options.Backbone, options.TaskCount, options.ModalityCount, options.TokensPerModality);
        var width = backbone.PosteriorWidths.Sum();
        var builder = new SegmenterBuilder()
            .WithBackbone(backbone)
            .WithVocabulary(options.TaskCount, options.ModalityCount);
        if (options.AuxiliaryHead)
        {
            builder.WithDeepSupervision("up2", "aux_classifier",
                new HierarchyPriorClassifier(width, backbone.Stages.Single(s => s.Name == "up2").Channels));
        }

        builder.WithPosteriorHead("out_classifier", new HierarchyPriorClassifier(width, backbone.OutputChannels));
        if (options.ModalityHead)
        {
            builder.WithModalityHead("mod_out", new ModalityClassifier(width, options.ModalityCount));
        }

        var model = builder.Build();
        TaskPriorInitializer.Apply(model, options.TaskPriorInitialization);
        return model;
    }
}
