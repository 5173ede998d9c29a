namespace Hermes.Runtime;

/// <summary>A diagnosed native-load failure: the cause, what exactly is missing, and the fix.</summary>
/// <param name="Failure">The recognised cause.</param>
/// <param name="Missing">What is missing (e.g. <c>GLIBCXX_3.4.32</c>, <c>libtorch-cpu</c>), when known.</param>
/// <param name="Remedy">What to do about it, as a user-facing sentence or command.</param>
/// <param name="LoaderMessage">The raw loader text the diagnosis was made from.</param>
public sealed record NativeLoadDiagnosis(NativeLoadFailure Failure, string? Missing, string Remedy, string LoaderMessage)
{
    /// <summary>The full user-facing message: cause, what is missing, remedy and the loader's own words.</summary>
    public string ToMessage()
    {
        var cause = Failure switch
        {
            NativeLoadFailure.LibStdCxxTooOld =>
                $"TorchSharp's native library needs a newer C++ runtime: libstdc++ does not export {Missing ?? "the required GLIBCXX version"}.",
            NativeLoadFailure.GlibcTooOld =>
                $"TorchSharp's native library needs a newer C library: glibc does not export {Missing ?? "the required GLIBC version"}.",
            NativeLoadFailure.NoRuntimePackage =>
                "No LibTorch runtime is available: the application references TorchSharp but no runtime package.",
            NativeLoadFailure.WrongArchitecture =>
                $"TorchSharp's native binaries do not match this process ({System.Runtime.InteropServices.RuntimeInformation.ProcessArchitecture}) or are damaged.",
            NativeLoadFailure.CudaMissing =>
                $"A CUDA build of LibTorch is referenced but the CUDA runtime or driver is missing{(Missing is null ? string.Empty : $" ({Missing})")}.",
            _ => "TorchSharp's native runtime (LibTorch) could not be loaded.",
        };
        return $"{cause} Fix: {Remedy} Loader message: {LoaderMessage.Trim()}";
    }
}
