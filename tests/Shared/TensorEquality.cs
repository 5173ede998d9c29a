using static TorchSharp.torch;

namespace Hermes.Testing;

/// <summary>Exact tensor comparison for tests that assert bit-for-bit reproduction (torch.equal plus the dtype).</summary>
internal static class TensorEquality
{
    /// <summary>Same shape, same dtype and every element equal (bit-identical for finite values).</summary>
    public static bool Same(Tensor a, Tensor b)
    {
        if (!a.shape.SequenceEqual(b.shape) || a.dtype != b.dtype)
        {
            return false;
        }

        using var eq = a.eq(b);
        using var all = eq.all();
        return all.item<bool>();
    }
}
