using Hermes.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Volumes;

/// <summary>Copies a mask tensor to a C-order byte buffer (1 = foreground) on the CPU.</summary>
internal static class MaskBytes
{
    public static byte[] From(Tensor mask)
    {
        ArgumentNullException.ThrowIfNull(mask);
        HermesRuntime.EnsureInitialized();
        using var scope = NewDisposeScope();
        var bytes = mask.ne(0).to(ScalarType.Byte).cpu().contiguous();
        var result = new byte[bytes.numel()];
        bytes.data<byte>().CopyTo(result);
        return result;
    }
}
