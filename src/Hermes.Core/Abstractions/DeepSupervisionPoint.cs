namespace Hermes.Abstractions;

/// <summary>An auxiliary posterior head applied to a stage's output; its logits are upsampled to the input size.</summary>
/// <param name="AfterStage">Name of the stage whose (fused) output the head reads.</param>
/// <param name="Name">State-dict name of the head module (for example <c>aux_classifier</c>).</param>
/// <param name="Head">The head; must be a TorchSharp module. It sees the posteriors produced up to that stage.</param>
public sealed record DeepSupervisionPoint(string AfterStage, string Name, IPosteriorHead Head);
