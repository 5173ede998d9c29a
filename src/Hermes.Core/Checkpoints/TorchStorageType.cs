using TorchSharp;

namespace Hermes.Checkpoints;

/// <summary>A legacy typed-storage class named by a pickle global (for example <c>torch.FloatStorage</c>): data, not code.</summary>
internal sealed record TorchStorageType(string Name, torch.ScalarType ScalarType)
{
    private static readonly Dictionary<string, torch.ScalarType> Known = new(StringComparer.Ordinal)
    {
        ["DoubleStorage"] = torch.ScalarType.Float64,
        ["FloatStorage"] = torch.ScalarType.Float32,
        ["HalfStorage"] = torch.ScalarType.Float16,
        ["BFloat16Storage"] = torch.ScalarType.BFloat16,
        ["LongStorage"] = torch.ScalarType.Int64,
        ["IntStorage"] = torch.ScalarType.Int32,
        ["ShortStorage"] = torch.ScalarType.Int16,
        ["CharStorage"] = torch.ScalarType.Int8,
        ["ByteStorage"] = torch.ScalarType.Byte,
        ["BoolStorage"] = torch.ScalarType.Bool,
        ["ComplexFloatStorage"] = torch.ScalarType.ComplexFloat32,
        ["ComplexDoubleStorage"] = torch.ScalarType.ComplexFloat64,
    };

    /// <summary>The accepted storage class names, for messages.</summary>
    public static IEnumerable<string> Names => Known.Keys;

    public static TorchStorageType? TryCreate(string module, string name) =>
        module == "torch" && Known.TryGetValue(name, out var type) ? new TorchStorageType(name, type) : null;

    public static int ElementSize(torch.ScalarType type) => type switch
    {
        torch.ScalarType.Float64 or torch.ScalarType.Int64 or torch.ScalarType.ComplexFloat32 => 8,
        torch.ScalarType.Float32 or torch.ScalarType.Int32 => 4,
        torch.ScalarType.Float16 or torch.ScalarType.BFloat16 or torch.ScalarType.Int16 => 2,
        torch.ScalarType.ComplexFloat64 => 16,
        _ => 1,
    };
}
