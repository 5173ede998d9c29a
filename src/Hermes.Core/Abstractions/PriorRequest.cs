using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Abstractions;

/// <summary>
/// The task and modality indices a forward pass asks the prior pools for.
/// </summary>
/// <remarks>
/// <see cref="TaskIndices"/> is <c>[B, T]</c> int64 with −1 for the null (padding) token; <see cref="ModalityIndices"/>
/// is <c>[B, 1]</c> int64 with −1 for the unknown modality. Pools translate −1 explicitly (reference §3, §14.1–2).
/// </remarks>
/// <param name="TaskIndices">Task indices, <c>[B, T]</c> int64.</param>
/// <param name="ModalityIndices">Modality indices, <c>[B, 1]</c> int64.</param>
public sealed record PriorRequest(Tensor TaskIndices, Tensor ModalityIndices)
{
    /// <summary>Number of requested task columns T.</summary>
    public int TaskCount => (int)TaskIndices.shape[1];
}
