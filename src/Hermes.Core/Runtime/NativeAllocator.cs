using System.Runtime.InteropServices;

namespace Hermes.Runtime;

/// <summary>
/// Tunes glibc's allocator so that large freed blocks stay in the process. LibTorch's CPU allocator takes every
/// activation from malloc; under glibc's defaults each large tensor is mmapped and unmapped again, so every call
/// page-faults its activations back in (20–40 % of CPU time in the kernel, hermes-reference.md §13).
/// </summary>
internal static partial class NativeAllocator
{
    private const int MTrimThreshold = -1;
    private const int MMmapMax = -4;
    private const int MArenaMax = -8;

    /// <summary>
    /// Sets <c>M_MMAP_MAX=0</c>, <c>M_TRIM_THRESHOLD=int.MaxValue</c> and <c>M_ARENA_MAX=1</c> through <c>mallopt</c>
    /// (the in-process equivalent of <c>GLIBC_TUNABLES=glibc.malloc.mmap_max=0:glibc.malloc.trim_threshold=…:glibc.malloc.arena_max=1</c>).
    /// </summary>
    /// <returns>Whether all three settings were accepted (false off glibc Linux).</returns>
    public static bool RetainFreedMemory()
    {
        if (!OperatingSystem.IsLinux())
        {
            return false;
        }

        try
        {
            return mallopt(MMmapMax, 0) == 1 & mallopt(MTrimThreshold, int.MaxValue) == 1 & mallopt(MArenaMax, 1) == 1;
        }
        catch (EntryPointNotFoundException)
        {
            return false; // not glibc (e.g. musl)
        }
        catch (DllNotFoundException)
        {
            return false;
        }
    }

    [LibraryImport("libc", EntryPoint = "mallopt")]
    private static partial int mallopt(int param, int value);
}
