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

    /// <summary>
    /// What identifies this CPU to a oneDNN kernel choice, as one line: vendor, brand string, CPUID family/model/stepping
    /// (leaf 1 EAX), the extended-feature words (leaf 7: AVX-512 subsets, AMX, …) and the cache sizes Linux reports. Two
    /// machines with the same signature get the same oneDNN kernels and blockings (which depend on ISA and cache sizes).
    /// Empty when unknown.
    /// </summary>
    public string Signature { get; init; } = string.Empty;

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

        return new CpuInfo(arch, vendor, Avx2.IsSupported, Avx512F.IsSupported) { Signature = DetectSignature(vendor) };
    }

    private static string DetectSignature(string vendor)
    {
        var parts = new List<string> { RuntimeInformation.ProcessArchitecture.ToString() };
        if (X86Base.IsSupported)
        {
            parts.Add(vendor);
            var brand = new StringBuilder();
            if ((uint)X86Base.CpuId(unchecked((int)0x80000000), 0).Eax >= 0x80000004)
            {
                Span<byte> bytes = stackalloc byte[16];
                for (var leaf = 0x80000002; leaf <= 0x80000004; leaf++)
                {
                    var (a, b, c, d) = X86Base.CpuId(unchecked((int)leaf), 0);
                    BitConverter.TryWriteBytes(bytes[..4], a);
                    BitConverter.TryWriteBytes(bytes[4..8], b);
                    BitConverter.TryWriteBytes(bytes[8..12], c);
                    BitConverter.TryWriteBytes(bytes[12..], d);
                    brand.Append(Encoding.ASCII.GetString(bytes).TrimEnd('\0'));
                }
            }

            parts.Add(brand.ToString().Trim());
            parts.Add($"cpuid1.eax={X86Base.CpuId(1, 0).Eax:X8}");
            var (_, ebx7, ecx7, edx7) = X86Base.CpuId(7, 0);
            parts.Add($"cpuid7={ebx7:X8}.{ecx7:X8}.{edx7:X8}");
        }

        parts.Add($"cache={CacheSizes()}");
        return string.Join(" | ", parts);
    }

    private static string CacheSizes()
    {
        // Linux: /sys/devices/system/cpu/cpu0/cache/indexN/{level,type,size}; elsewhere unknown.
        const string root = "/sys/devices/system/cpu/cpu0/cache";
        try
        {
            if (!Directory.Exists(root))
            {
                return "unknown";
            }

            return string.Join(",", Directory.EnumerateDirectories(root, "index*").Order(StringComparer.Ordinal).Select(d =>
            {
                static string Read(string file) => File.Exists(file) ? File.ReadAllText(file).Trim() : "?";
                return $"L{Read(Path.Combine(d, "level"))}{Read(Path.Combine(d, "type"))[..1]}:{Read(Path.Combine(d, "size"))}";
            }));
        }
        catch (IOException)
        {
            return "unknown";
        }
        catch (UnauthorizedAccessException)
        {
            return "unknown";
        }
    }
}
