namespace Hermes.Abstractions;

/// <summary>A prior fusion inserted after a backbone stage.</summary>
/// <param name="AfterStage">Name of the stage whose output is fused.</param>
/// <param name="Name">State-dict name of the fusion module (for example <c>prior_init_fuse_2</c>).</param>
/// <param name="Fusion">The fusion; must be a TorchSharp module.</param>
public sealed record FusionPoint(string AfterStage, string Name, IPriorFusion Fusion);
