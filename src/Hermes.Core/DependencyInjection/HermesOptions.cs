namespace Hermes.DependencyInjection;

/// <summary>
/// Options of one Hermes model in an application (bound from the configuration section <see cref="SectionName"/>; several
/// models use named options). Validated at start-up by <see cref="HermesOptionsValidator"/>.
/// </summary>
public sealed class HermesOptions
{
    /// <summary>The configuration section the options are bound from: <c>Hermes</c>.</summary>
    public const string SectionName = "Hermes";

    /// <summary>
    /// Name of the model architecture (a registered <see cref="IModelArchitecture"/>: <c>resunet</c> after <c>UseResUNet()</c>,
    /// <c>medformer</c> after <c>UseMedFormer()</c>, or a custom one added with <c>AddBackbone&lt;T&gt;()</c>).
    /// <see langword="null"/> picks the architecture registered by the last <c>Use…()</c> call.
    /// </summary>
    public string? Backbone { get; set; }

    /// <summary>Input image channels (≥ 1).</summary>
    public int InputChannels { get; set; } = 1;

    /// <summary>Base width of the backbone (≥ 1; 32 in the published Hermes-R).</summary>
    public int BaseChannels { get; set; } = 32;

    /// <summary>Training patch and inference window size (D, H, W) in voxels; each a positive multiple of the backbone's stride.</summary>
    public int[] PatchSize { get; set; } = [128, 128, 128];

    /// <summary>
    /// The tasks this application segments by default (names in the task catalog, e.g. <c>amos/liver</c>); empty for
    /// none preselected. The model's task table always covers the whole catalog vocabulary.
    /// </summary>
    public IList<string> Tasks { get; set; } = [];

    /// <summary>Path of a trained model's weights (<c>.safetensors</c>, or a PyTorch <c>.pth</c>/<c>.pt</c>); optional.</summary>
    public string? Weights { get; set; }

    /// <summary>Training settings.</summary>
    public HermesTrainingOptions Training { get; set; } = new();

    /// <summary>Inference settings.</summary>
    public HermesInferenceOptions Inference { get; set; } = new();
}
