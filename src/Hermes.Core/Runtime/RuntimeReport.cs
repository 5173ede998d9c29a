namespace Hermes.Runtime;

/// <summary>What the native runtime looks like in this process, as <c>hermes info --system</c> prints it.</summary>
/// <param name="TorchSharpVersion">The TorchSharp assembly version.</param>
/// <param name="LibTorchPackage">The LibTorch runtime package and version the application ships (e.g. <c>libtorch-cpu-linux-x64/2.10.0</c>), or <c>unknown</c>.</param>
/// <param name="Device">The default compute device: <c>cpu</c>, or <c>cuda</c> when CUDA is available.</param>
/// <param name="CudaAvailable">Whether LibTorch sees a CUDA device.</param>
/// <param name="Threads">The process-wide LibTorch intra-op thread count (<see cref="IntraOpThreads.ProcessWide"/>).</param>
/// <param name="Cpu">The CPU and its vector ISA.</param>
/// <param name="OneDnnGuard">The oneDNN guard's decision.</param>
/// <param name="OneDnnGuardEffective">Whether the decision was in force when LibTorch loaded (false if torch was loaded before Hermes could apply it).</param>
/// <param name="RetainsFreedMemory">Whether glibc's allocator was tuned to keep freed blocks (<see cref="HermesRuntimeOptions.RetainFreedMemory"/>).</param>
/// <param name="GemmWeightGradients">Whether Hermes' dense 3D convolutions compute weight gradients with the shifted-view GEMM
/// (<see cref="HermesRuntimeOptions.Conv3dWeightGradient"/>, <see cref="Operations.GemmWeightGradientConvolution"/>).</param>
/// <param name="WinogradMinChannels">The fewest channels (input and output) for which Hermes' dense 3³ convolutions run inference by
/// Winograd F(2×2×2, 3×3×3), or <see langword="null"/> when they never do (<see cref="HermesRuntimeOptions.Conv3dForward"/>,
/// <see cref="Operations.WinogradConvolution"/>).</param>
/// <param name="WinogradWeightGradientMinChannels">The fewest channels (input and output) for which trained dense 3³ convolutions
/// whose forward pass runs by Winograd take their weight gradients from <see cref="Operations.WinogradWeightGradient"/>, or
/// <see langword="null"/> when none do (<see cref="HermesRuntimeOptions.Conv3dWeightGradient"/>).</param>
public sealed record RuntimeReport(
    string TorchSharpVersion,
    string LibTorchPackage,
    string Device,
    bool CudaAvailable,
    int Threads,
    CpuInfo Cpu,
    OneDnnGuardDecision OneDnnGuard,
    bool OneDnnGuardEffective,
    bool RetainsFreedMemory = false,
    bool GemmWeightGradients = false,
    int? WinogradMinChannels = null,
    int? WinogradWeightGradientMinChannels = null)
{
    /// <summary>Key/value lines for display.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> ToLines() =>
    [
        new("TorchSharp", TorchSharpVersion),
        new("LibTorch runtime", LibTorchPackage),
        new("Device", Device),
        new("CUDA available", CudaAvailable ? "yes" : "no"),
        new("Threads", Threads.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("CPU", $"{Cpu.Architecture} {Cpu.Vendor}".Trim()),
        new("CPU ISA", $"{Cpu.BestIsa} (AVX2 {(Cpu.HasAvx2 ? "yes" : "no")}, AVX-512F {(Cpu.HasAvx512F ? "yes" : "no")})"),
        new("Allocator", RetainsFreedMemory ? "glibc tuned: freed blocks retained" : "default"),
        new("conv3d forward (and input gradient in training)", WinogradMinChannels switch
        {
            null => "LibTorch",
            <= 1 => "Winograd F(2³, 3³) (BLAS) for every dense 3³ layer",
            { } min => $"Winograd F(2³, 3³) (BLAS) for dense 3³ layers with ≥ {min} channels in and out, LibTorch below",
        }),
        new("conv3d weight gradients", (GemmWeightGradients, WinogradWeightGradientMinChannels) switch
        {
            (false, _) => "LibTorch",
            (true, null) => "shifted-view GEMM (BLAS)",
            (true, <= 1) => "Winograd F(2³, 3³) (BLAS) where the forward runs by Winograd, shifted-view GEMM (BLAS) elsewhere",
            (true, { } min) => $"Winograd F(2³, 3³) (BLAS) where the forward runs by Winograd with ≥ {min} channels in and out, shifted-view GEMM (BLAS) elsewhere",
        }),
        new("oneDNN guard", $"{OneDnnGuard.Mode}: {OneDnnGuard}{(OneDnnGuardEffective ? string.Empty : " — NOT in force: LibTorch was loaded before Hermes.Core")}"),
    ];
}
