using System.Runtime.InteropServices;
using System.Runtime.Intrinsics.X86;
using System.Text;

namespace Hermes.Runtime;

/// <summary>What the CPU offers that matters for LibTorch's kernels.</summary>
/// <param name="Architecture">The process architecture.</param>
/// <param name="Vendor">The CPUID vendor string (e.g. <c>AuthenticAMD</c>, <c>GenuineIntel</c>), or empty off x86.</param>
/// <param name="HasAvx2">Whether AVX2 is available.</param>
/// <param name="HasAvx512F">Whether AVX-512 Foundation is available (the ISA where the oneDNN conv3d defect lives).</param>
public sealed record CpuInfo(Architecture Architecture, string Vendor, bool HasAvx2, bool HasAvx512F)
{
    /// <summary>The CPU this process runs on.</summary>
    public static CpuInfo Current { get; } = Detect();

    /// <summary>The best vector ISA, as oneDNN names it (e.g. <c>AVX512_CORE</c>, <c>AVX2</c>, <c>NEON</c>).</summary>
    public string BestIsa => Architecture switch
    {
        Architecture.X64 or Architecture.X86 => HasAvx512F ? "AVX512_CORE" : HasAvx2 ? "AVX2" : "SSE41",
        Architecture.Arm64 => "NEON",
        _ => "unknown",
    };

    private static CpuInfo Detect()
    {
        var arch = RuntimeInformation.ProcessArchitecture;
        var vendor = string.Empty;
        if (X86Base.IsSupported)
        {
            var (_, ebx, ecx, edx) = X86Base.CpuId(0, 0);
            Span<byte> bytes = stackalloc byte[12];
            BitConverter.TryWriteBytes(bytes[..4], ebx);
            BitConverter.TryWriteBytes(bytes[4..8], edx);
            BitConverter.TryWriteBytes(bytes[8..], ecx);
            vendor = Encoding.ASCII.GetString(bytes);
        }

        return new CpuInfo(arch, vendor, Avx2.IsSupported, Avx512F.IsSupported);
    }
}
