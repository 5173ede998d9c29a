using TorchSharp;

namespace Hermes.Checkpoints;

/// <summary>Maps safetensors dtype names to TorchSharp scalar types and element sizes.</summary>
internal static class SafeTensorsDType
{
    private static readonly (string Name, torch.ScalarType Type, int Size)[] Table =
    [
        ("F64", torch.ScalarType.Float64, 8),
        ("F32", torch.ScalarType.Float32, 4),
        ("F16", torch.ScalarType.Float16, 2),
        ("BF16", torch.ScalarType.BFloat16, 2),
        ("I64", torch.ScalarType.Int64, 8),
        ("I32", torch.ScalarType.Int32, 4),
        ("I16", torch.ScalarType.Int16, 2),
        ("I8", torch.ScalarType.Int8, 1),
        ("U8", torch.ScalarType.Byte, 1),
        ("BOOL", torch.ScalarType.Bool, 1),
    ];

    /// <summary>The accepted dtype names, for messages.</summary>
    public static string KnownNames { get; } = string.Join(", ", Table.Select(t => t.Name));

    public static bool TryParse(string name, out torch.ScalarType type, out int size)
    {
        foreach (var entry in Table)
        {
            if (string.Equals(entry.Name, name, StringComparison.Ordinal))
            {
                type = entry.Type;
                size = entry.Size;
                return true;
            }
        }

        type = default;
        size = 0;
        return false;
    }

    public static bool TryGetName(torch.ScalarType type, out string name, out int size)
    {
        foreach (var entry in Table)
        {
            if (entry.Type == type)
            {
                name = entry.Name;
                size = entry.Size;
                return true;
            }
        }

        name = string.Empty;
        size = 0;
        return false;
    }

    /// <summary>Element size in bytes of a scalar type; 0 when unsupported.</summary>
    public static int SizeOf(torch.ScalarType type) => TryGetName(type, out _, out var size) ? size : 0;
}
