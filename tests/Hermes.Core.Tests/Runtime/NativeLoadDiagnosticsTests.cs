using Hermes.Runtime;

namespace Hermes.Core.Tests.Runtime;

/// <summary>Native-load failures become one exception type whose message names what is missing and the fix.</summary>
public sealed class NativeLoadDiagnosticsTests : IDisposable
{
    // The loader's text, verbatim, from Debian 12 before eng/install-prereqs.sh (glibc dlerror through .NET).
    private const string Debian12LoaderText =
        "Unable to load shared library 'LibTorchSharp' or one of its dependencies. In order to help diagnose loading problems, " +
        "consider using a tool like strace. If you're using glibc, consider setting the LD_DEBUG environment variable: \n" +
        "/root/.nuget/packages/torchsharp/0.107.0/runtimes/linux-x64/native/libLibTorchSharp.so: " +
        "/lib/x86_64-linux-gnu/libstdc++.so.6: version `GLIBCXX_3.4.32' not found " +
        "(required by /root/.nuget/packages/torchsharp/0.107.0/runtimes/linux-x64/native/libLibTorchSharp.so)";

    private readonly string dir = Directory.CreateTempSubdirectory("hermes-native-").FullName;

    public void Dispose() => Directory.Delete(dir, recursive: true);

    [Fact]
    public void MissingGlibcxxIsNamedWithItsRemedy()
    {
        var diagnosis = NativeLoadDiagnostics.Diagnose(Debian12LoaderText);
        var error = new HermesNativeRuntimeException(diagnosis);

        Assert.Equal(NativeLoadFailure.LibStdCxxTooOld, error.Failure);
        Assert.Equal("GLIBCXX_3.4.32", diagnosis.Missing);
        Assert.Contains("GLIBCXX_3.4.32", error.Message, StringComparison.Ordinal);
        Assert.Contains("eng/install-prereqs.sh", error.Message, StringComparison.Ordinal);
        Assert.Contains("trixie", error.Message, StringComparison.Ordinal);
        Assert.Contains("libstdc++.so.6", error.Message, StringComparison.Ordinal); // the loader's own words are kept
    }

    [SkippableFact]
    public void RealLoaderFailureOfAMissingVersionedSymbolIsDiagnosed()
    {
        // Build a real shared library that needs GLIBCXX_3.4.99 (which no libstdc++ exports) and let the OS loader refuse it.
        Skip.IfNot(OperatingSystem.IsLinux(), "needs the Linux loader");
        var cc = new[] { "/usr/bin/gcc", "/usr/bin/cc" }.FirstOrDefault(File.Exists);
        Skip.If(cc is null, "no C compiler to build the deliberately unloadable library");

        var stub = Path.Combine(dir, "stub.c");
        File.WriteAllText(stub, "void hermes_probe_symbol(void) {}\n");
        File.WriteAllText(Path.Combine(dir, "stub.map"), "GLIBCXX_3.4.99 { global: hermes_probe_symbol; };\n");
        Run(cc!, $"-shared -fPIC -o {dir}/libstdc++.so.6 -Wl,-soname,libstdc++.so.6 -Wl,--version-script={dir}/stub.map {stub}");
        File.WriteAllText(Path.Combine(dir, "user.c"), "void hermes_probe_symbol(void); void call_it(void) { hermes_probe_symbol(); }\n");
        Run(cc!, $"-shared -fPIC -o {dir}/libneedsnewcxx.so {dir}/user.c -L{dir} -l:libstdc++.so.6");
        File.Delete(Path.Combine(dir, "libstdc++.so.6")); // at run time, the system's libstdc++ answers — without GLIBCXX_3.4.99

        var loaderText = NativeLoadDiagnostics.TryLoad(Path.Combine(dir, "libneedsnewcxx.so"));

        Assert.NotNull(loaderText);
        var diagnosis = NativeLoadDiagnostics.Diagnose(loaderText!);
        Assert.Equal(NativeLoadFailure.LibStdCxxTooOld, diagnosis.Failure);
        Assert.Equal("GLIBCXX_3.4.99", diagnosis.Missing);
        Assert.Contains("eng/install-prereqs.sh", diagnosis.ToMessage(), StringComparison.Ordinal);
    }

    [SkippableFact]
    public void ForeignArchitectureBinaryIsDiagnosedAsWrongArchitecture()
    {
        Skip.IfNot(OperatingSystem.IsLinux(), "needs the Linux loader");
        // A 32-bit ELF header: the loader refuses it with "wrong ELF class: ELFCLASS32".
        var path = Path.Combine(dir, "libforeign.so");
        var header = new byte[64];
        header[0] = 0x7F; header[1] = (byte)'E'; header[2] = (byte)'L'; header[3] = (byte)'F';
        header[4] = 1; header[5] = 1; header[6] = 1; header[16] = 3; header[18] = 40; // ELFCLASS32, LE, ET_DYN, EM_ARM
        File.WriteAllBytes(path, header);

        var loaderText = NativeLoadDiagnostics.TryLoad(path);

        Assert.NotNull(loaderText);
        Assert.Equal(NativeLoadFailure.WrongArchitecture, NativeLoadDiagnostics.Diagnose(loaderText!).Failure);
    }

    [Fact]
    public void MissingRuntimePackageIsNamed()
    {
        var text = "TypeInitializationException: The type initializer for 'TorchSharp.torch' threw an exception.\n" +
                   "NotSupportedException: The libtorch-cpu native backend could not be loaded: libtorch_cpu.so: cannot open shared object file: No such file or directory";
        var diagnosis = NativeLoadDiagnostics.Diagnose(text);

        Assert.Equal(NativeLoadFailure.NoRuntimePackage, diagnosis.Failure);
        Assert.Contains("TorchSharp-cpu", diagnosis.ToMessage(), StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownFailureKeepsTheLoaderText()
    {
        var diagnosis = NativeLoadDiagnostics.Diagnose("something odd happened");
        Assert.Equal(NativeLoadFailure.Unknown, diagnosis.Failure);
        Assert.Contains("something odd happened", diagnosis.ToMessage(), StringComparison.Ordinal);
    }

    private static void Run(string exe, string args)
    {
        using var p = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(exe, args) { RedirectStandardError = true })!;
        var err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"{exe} {args} failed: {err}");
    }
}
