namespace Hermes.Runtime;

/// <summary>Why TorchSharp's native runtime could not be loaded.</summary>
public enum NativeLoadFailure
{
    /// <summary>The cause could not be recognised; the loader's message is attached.</summary>
    Unknown = 0,

    /// <summary>No LibTorch runtime package (TorchSharp-cpu, or a libtorch-cuda package) is referenced by the application.</summary>
    NoRuntimePackage,

    /// <summary>The system C++ runtime (libstdc++) is older than the one LibTorchSharp was built against (GLIBCXX_x.y.z missing).</summary>
    LibStdCxxTooOld,

    /// <summary>The system C library (glibc) is too old (GLIBC_x.y missing).</summary>
    GlibcTooOld,

    /// <summary>The native binaries are for another CPU architecture or are not valid shared libraries.</summary>
    WrongArchitecture,

    /// <summary>The CUDA runtime or driver that a CUDA build of LibTorch needs is missing.</summary>
    CudaMissing,
}
