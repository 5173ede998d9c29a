namespace Hermes.Abstractions;

/// <summary>
/// One stage of a hierarchical backbone: the point after which a segmenter may insert prior fusion.
/// </summary>
/// <param name="Name">The stage's state-dict name (for example <c>down2</c>); also the name of its submodule.</param>
/// <param name="Kind">Encoder or decoder.</param>
/// <param name="Channels">Channels of the stage's output feature map.</param>
/// <param name="Stride">Total downsampling factor of the stage's output relative to the input (1, 2, 4, …), per axis.</param>
public sealed record BackboneStage(string Name, StageKind Kind, int Channels, int Stride);
