using System.Runtime.InteropServices;

namespace Hermes.Volumes;

/// <summary>
/// Asks Linux to back a large, freshly allocated buffer with transparent huge pages (<c>madvise(MADV_HUGEPAGE)</c>)
/// before it is first written. Readers decode hundreds of MB into new tensor memory; with 4 KiB pages the first-touch
/// page faults can cost more than the gzip decompression itself (measured: 1.1–1.5 s for 160 MB on a VM). A hint only:
/// any failure is ignored, and nothing happens on other systems or when THP is disabled.
/// </summary>
internal static partial class HugePages
{
    private const int MadvHugePage = 14;
    private const long HugePageSize = 2L << 20;
    private const long MinimumBytes = 8L << 20;
    private static bool unavailable;

    public static unsafe void Advise(Span<byte> buffer)
    {
        if (unavailable || !OperatingSystem.IsLinux() || buffer.Length < MinimumBytes)
        {
            return;
        }

        fixed (byte* p = buffer)
        {
            var start = ((long)p + HugePageSize - 1) & ~(HugePageSize - 1);
            var end = ((long)p + buffer.Length) & ~(HugePageSize - 1);
            if (end <= start)
            {
                return;
            }

            try
            {
                _ = madvise((nint)start, (nuint)(end - start), MadvHugePage);
            }
            catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
            {
                unavailable = true;
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "madvise")]
    private static partial int madvise(nint address, nuint length, int advice);
}
