using TorchSharp;

namespace Hermes.Checkpoints;

/// <summary>One tensor described by a safetensors header.</summary>
/// <param name="Key">The tensor's name.</param>
/// <param name="ScalarType">The TorchSharp element type.</param>
/// <param name="DType">The safetensors dtype name (for example <c>F32</c>).</param>
/// <param name="Shape">The shape.</param>
/// <param name="Begin">Start of the tensor's bytes, relative to the data region.</param>
/// <param name="End">End (exclusive) of the tensor's bytes, relative to the data region.</param>
public sealed record SafeTensorsEntry(string Key, torch.ScalarType ScalarType, string DType, IReadOnlyList<long> Shape, long Begin, long End)
{
    /// <summary>The number of bytes of tensor data.</summary>
    public long ByteLength => End - Begin;
}
