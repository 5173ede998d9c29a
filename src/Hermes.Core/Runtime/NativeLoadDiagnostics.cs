using System.Runtime.InteropServices;
using System.Text;
using System.Text.RegularExpressions;

namespace Hermes.Runtime;

/// <summary>Turns loader failures of TorchSharp's native libraries into a specific cause and remedy.</summary>
public static partial class NativeLoadDiagnostics
{
    /// <summary>The script in the Hermes.NET repository that installs the native prerequisites.</summary>
    public const string PrerequisiteScript = "eng/install-prereqs.sh";

    /// <summary>Diagnoses a loader failure from the loader's own text (dlerror, exception messages).</summary>
    /// <param name="loaderMessage">The text: exception messages of the whole chain, or dlerror output.</param>
    /// <returns>The cause, what is missing and the remedy.</returns>
    public static NativeLoadDiagnosis Diagnose(string loaderMessage)
    {
        ArgumentNullException.ThrowIfNull(loaderMessage);

        if (GlibcxxPattern().Match(loaderMessage) is { Success: true } cxx)
        {
            var version = cxx.Groups["v"].Value;
            return new NativeLoadDiagnosis(
                NativeLoadFailure.LibStdCxxTooOld,
                version,
                $"install a libstdc++ that exports {version} (GCC 13 or newer). On Debian 12 run `sudo {PrerequisiteScript}` from the Hermes.NET repository: " +
                "it installs libstdc++6 from Debian 13 (trixie) with an apt source scoped to that one command. On Ubuntu 22.04: " +
                "`sudo add-apt-repository ppa:ubuntu-toolchain-r/test && sudo apt-get install libstdc++6`. Elsewhere: a conda environment " +
                "with libstdcxx-ng>=13, its lib/ folder prepended to LD_LIBRARY_PATH.",
                loaderMessage);
        }

        if (GlibcPattern().Match(loaderMessage) is { Success: true } libc)
        {
            var version = libc.Groups["v"].Value;
            return new NativeLoadDiagnosis(
                NativeLoadFailure.GlibcTooOld,
                version,
                $"run on a distribution whose glibc exports {version} (Debian 12, Ubuntu 22.04 or newer), or in a container built from one.",
                loaderMessage);
        }

        if (Contains(loaderMessage, "wrong ELF class", "ELFCLASS", "invalid ELF header", "wrong architecture",
                "not a valid Win32 application", "incompatible architecture", "file too short", "not a dynamic executable",
                "cannot be loaded on this architecture", "BadImageFormat"))
        {
            return new NativeLoadDiagnosis(
                NativeLoadFailure.WrongArchitecture,
                $"native binaries for {RuntimeInformation.RuntimeIdentifier}",
                $"reference the runtime package built for {RuntimeInformation.RuntimeIdentifier} (TorchSharp-cpu supports linux-x64, win-x64 and osx-arm64), " +
                "run the process as that architecture, and clear the NuGet cache if a package download was cut short (`dotnet nuget locals all --clear`).",
                loaderMessage);
        }

        if (Contains(loaderMessage, "libcudart", "libcuda.so", "libcudnn", "libnvrtc", "cudart64", "nvcuda.dll", "CUDA driver"))
        {
            var missing = CudaLibraryPattern().Match(loaderMessage);
            return new NativeLoadDiagnosis(
                NativeLoadFailure.CudaMissing,
                missing.Success ? missing.Value : null,
                "install the NVIDIA driver and the CUDA runtime that your libtorch-cuda package was built for, or reference TorchSharp-cpu for CPU-only use.",
                loaderMessage);
        }

        if (Contains(loaderMessage, "libtorch", "torch_cpu", "LibTorchSharp", "libc10") &&
            Contains(loaderMessage, "cannot open shared object file", "No such file", "not found", "could not be found", "Unable to load",
                "could not be loaded", "NotSupportedException"))
        {
            return new NativeLoadDiagnosis(
                NativeLoadFailure.NoRuntimePackage,
                "a LibTorch runtime package",
                "add a runtime package to the application (not to a library): `dotnet add package TorchSharp-cpu` for CPU, " +
                "or a TorchSharp CUDA runtime package for NVIDIA GPUs.",
                loaderMessage);
        }

        return new NativeLoadDiagnosis(
            NativeLoadFailure.Unknown,
            null,
            $"run `hermes info --system` for details; on Linux check `ldd` on libLibTorchSharp.so for 'not found' entries and run {PrerequisiteScript}.",
            loaderMessage);
    }

    /// <summary>Diagnoses an exception thrown while TorchSharp loaded its native libraries, probing them directly for the loader's words.</summary>
    /// <param name="error">The exception (often a <see cref="TypeInitializationException"/>).</param>
    public static NativeLoadDiagnosis Diagnose(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        var text = new StringBuilder();
        for (var e = error; e is not null; e = e.InnerException)
        {
            text.Append(e.GetType().Name).Append(": ").AppendLine(e.Message);
        }

        foreach (var probe in ProbeNativeLibraries())
        {
            text.AppendLine(probe);
        }

        return Diagnose(text.ToString());
    }

    /// <summary>Tries to load <paramref name="path"/> with the operating system's loader.</summary>
    /// <param name="path">A shared library's path.</param>
    /// <returns><see langword="null"/> when it loads; else the loader's error text.</returns>
    public static string? TryLoad(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        try
        {
            var handle = NativeLibrary.Load(path);
            NativeLibrary.Free(handle);
            return null;
        }
        catch (DllNotFoundException e)
        {
            return e.Message;
        }
        catch (BadImageFormatException e)
        {
            return $"BadImageFormat: {e.Message}";
        }
    }

    /// <summary>Loads each native library TorchSharp needs, from where the application ships it, and returns every failure text.</summary>
    internal static IEnumerable<string> ProbeNativeLibraries()
    {
        var (bridge, torch) = OperatingSystem.IsWindows()
            ? ("LibTorchSharp.dll", "torch_cpu.dll")
            : OperatingSystem.IsMacOS() ? ("libLibTorchSharp.dylib", "libtorch_cpu.dylib") : ("libLibTorchSharp.so", "libtorch_cpu.so");
        var dirs = new[]
        {
            AppContext.BaseDirectory,
            Path.Combine(AppContext.BaseDirectory, "runtimes", RuntimeInformation.RuntimeIdentifier, "native"),
            Path.Combine(AppContext.BaseDirectory, "runtimes", $"{RuntimeOs()}-{RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant()}", "native"),
        };

        var torchFound = dirs.Any(d => File.Exists(Path.Combine(d, torch)));
        if (!torchFound)
        {
            yield return $"{torch}: not found next to the application ({string.Join(", ", dirs.Distinct())}); no LibTorch runtime package (libtorch-cpu) is referenced.";
        }

        foreach (var dir in dirs.Distinct())
        {
            // libtorch_cpu first: when both fail, its error names the deepest missing dependency.
            foreach (var name in new[] { torch, bridge })
            {
                var path = Path.Combine(dir, name);
                if (File.Exists(path) && TryLoad(path) is { } error)
                {
                    yield return error;
                }
            }
        }
    }

    private static string RuntimeOs() => OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";

    private static bool Contains(string text, params string[] needles) =>
        needles.Any(n => text.Contains(n, StringComparison.OrdinalIgnoreCase));

    [GeneratedRegex(@"(?<v>GLIBCXX_\d+(?:\.\d+)+)['’`""]?\s*not found", RegexOptions.CultureInvariant)]
    private static partial Regex GlibcxxPattern();

    [GeneratedRegex(@"(?<v>GLIBC_\d+(?:\.\d+)+)['’`""]?\s*not found", RegexOptions.CultureInvariant)]
    private static partial Regex GlibcPattern();

    [GeneratedRegex(@"(libcudart|libcuda|libcudnn|libnvrtc|cudart64|nvcuda)[\w.\-]*", RegexOptions.CultureInvariant)]
    private static partial Regex CudaLibraryPattern();
}
