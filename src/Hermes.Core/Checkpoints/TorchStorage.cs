using TorchSharp;

namespace Hermes.Checkpoints;

/// <summary>A storage loaded from a checkpoint archive: a flat CPU tensor of the storage's dtype and length.</summary>
/// <param name="Key">The storage's record name in the archive.</param>
/// <param name="Data">The flat tensor holding the storage.</param>
internal sealed record TorchStorage(string Key, torch.Tensor Data);
