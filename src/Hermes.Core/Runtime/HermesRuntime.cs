using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using TorchSharp;

namespace Hermes.Runtime;

/// <summary>
/// The one entry point through which every Hermes.NET API reaches LibTorch: applies the oneDNN guard before LibTorch
/// loads, turns native load failures into a <see cref="HermesNativeRuntimeException"/> that names the cause and the fix,
/// and reports what runs (<see cref="Report"/>).
/// </summary>
public static partial class HermesRuntime
{
    private static readonly object Gate = new();
    private static RuntimeReport? report;

    /// <summary>The runtime report, once <see cref="EnsureInitialized"/> has succeeded; otherwise <see langword="null"/>.</summary>
    public static RuntimeReport? Report => report;

    /// <summary>
    /// Loads LibTorch once per process, with the oneDNN guard applied first. Cheap after the first call.
    /// </summary>
    /// <param name="options">Runtime options; <see langword="null"/> for the defaults (environment variables honoured).</param>
    /// <param name="logger">Receives the guard decision and the runtime summary, once.</param>
    /// <returns>What runs in this process.</returns>
    /// <exception cref="HermesNativeRuntimeException">The native runtime cannot load; the message says why and how to fix it.</exception>
    public static RuntimeReport EnsureInitialized(HermesRuntimeOptions? options = null, ILogger? logger = null)
    {
        if (report is { } ready && options is null)
        {
            return ready;
        }

        lock (Gate)
        {
            if (report is { } done)
            {
                if (options?.Threads is { } t)
                {
                    options.Validate();
                    if (t != torch.get_num_threads())
                    {
                        torch.set_num_threads(t);
                    }

                    // The process-wide count that the predictors apply on every calling thread (IntraOpThreads).
                    report = done with { Threads = t };
                }

                return report;
            }

            logger ??= NullLogger.Instance;
            options ??= new HermesRuntimeOptions();
            options.Validate();
            _ = OneDnnGuard.ModeFromEnvironment(); // an invalid HERMES_ONEDNN_GUARD is an error, named here
            _ = HermesRuntimeOptions.Conv3dWeightGradientFromEnvironment(); // likewise HERMES_CONV3D_WEIGHT_GRADIENT
            _ = HermesRuntimeOptions.Conv3dForwardFromEnvironment(); // and HERMES_CONV3D_FORWARD

            // oneDNN reads ONEDNN_MAX_CPU_ISA when it first dispatches a kernel. If LibTorch was loaded before Hermes.Core
            // (a torch call ahead of any Hermes call), a kernel may already have run: the cap is then not guaranteed.
            var loadedBefore = IsLibTorchLoaded();
            var decision = OneDnnGuard.Apply(options.OneDnnGuard);
            var effective = !loadedBefore || decision.IsaCap is null;

            var allocatorTuned = options.RetainFreedMemory && NativeAllocator.RetainFreedMemory();
            try
            {
                torch.InitializeDeviceType(DeviceType.CPU);
            }
            catch (Exception e) when (e is TypeInitializationException or DllNotFoundException or NotSupportedException or BadImageFormatException or EntryPointNotFoundException)
            {
                var diagnosis = NativeLoadDiagnostics.Diagnose(e);
                LogLoadFailure(logger, diagnosis.Failure, diagnosis.Missing ?? "-");
                throw new HermesNativeRuntimeException(diagnosis, e);
            }

            if (options.Threads is { } threads)
            {
                torch.set_num_threads(threads);
            }

            var cuda = torch.cuda.is_available();
            report = new RuntimeReport(
                TorchSharpVersion(),
                LibTorchPackage(),
                cuda ? "cuda" : "cpu",
                cuda,
                torch.get_num_threads(),
                CpuInfo.Current,
                decision,
                effective,
                allocatorTuned,
                UsesGemmWeightGradients(options.Conv3dWeightGradient, CpuInfo.Current, decision.IsaCap),
                WinogradMinChannels(options.Conv3dForward, CpuInfo.Current, decision.IsaCap),
                WinogradWeightGradientMinChannels(options.Conv3dWeightGradient, CpuInfo.Current, decision.IsaCap));

            if (!effective)
            {
                LogGuardNotInForce(logger, decision.ToString());
            }
            else
            {
                LogGuard(logger, decision.ToString());
            }

            LogRuntime(logger, report.TorchSharpVersion, report.LibTorchPackage, report.Device, report.Threads, report.Cpu.BestIsa);
            return report;
        }
    }

    /// <summary>
    /// Resolves <see cref="Conv3dWeightGradientMode.Auto"/>: on x64, the shifted-view GEMM whenever oneDNN runs below AVX-512 — capped by
    /// <c>ONEDNN_MAX_CPU_ISA</c> (the guard's AVX2, or a lower value the user set) or on a CPU without AVX-512F — because oneDNN
    /// then computes 3D weight gradients through im2col and its own AVX2 GEMM (docs/performance.md).
    /// </summary>
    /// <param name="mode">The configured mode.</param>
    /// <param name="cpu">The CPU.</param>
    /// <param name="isaCap">The <c>ONEDNN_MAX_CPU_ISA</c> value in force, or <see langword="null"/>.</param>
    public static bool UsesGemmWeightGradients(Conv3dWeightGradientMode mode, CpuInfo cpu, string? isaCap)
    {
        ArgumentNullException.ThrowIfNull(cpu);
        return mode switch
        {
            Conv3dWeightGradientMode.Gemm or Conv3dWeightGradientMode.Winograd => true,
            Conv3dWeightGradientMode.LibTorch => false,
            _ => cpu.Architecture == System.Runtime.InteropServices.Architecture.X64 && OneDnnBelowAvx512(cpu, isaCap),
        };
    }

    /// <summary>
    /// Resolves the Winograd weight gradient's share of <paramref name="mode"/>: 1 for <see cref="Conv3dWeightGradientMode.Winograd"/>,
    /// <see cref="Operations.WinogradWeightGradient.AutoMinChannels"/> where <see cref="Conv3dWeightGradientMode.Auto"/> uses Hermes'
    /// kernels (<see cref="UsesGemmWeightGradients"/>) on a CPU that can run the Winograd kernels, <see langword="null"/> otherwise.
    /// </summary>
    /// <param name="mode">The configured mode.</param>
    /// <param name="cpu">The CPU.</param>
    /// <param name="isaCap">The <c>ONEDNN_MAX_CPU_ISA</c> value in force, or <see langword="null"/>.</param>
    public static int? WinogradWeightGradientMinChannels(Conv3dWeightGradientMode mode, CpuInfo cpu, string? isaCap)
    {
        ArgumentNullException.ThrowIfNull(cpu);
        return mode switch
        {
            Conv3dWeightGradientMode.Winograd => 1,
            Conv3dWeightGradientMode.Auto when cpu.HasAvx2 && UsesGemmWeightGradients(mode, cpu, isaCap) => Operations.WinogradWeightGradient.AutoMinChannels,
            _ => null,
        };
    }

    /// <summary>
    /// The fewest channels (input and output) from which <see cref="Conv3dForwardMode.Auto"/> uses the Winograd convolution
    /// while oneDNN runs below AVX-512: from 16 channels it measured 2.4–4.8× faster than oneDNN's AVX2 kernels there (also with
    /// 256-bit registers only, as on an AVX2 CPU: 1.5–1.9×; docs/performance.md).
    /// </summary>
    public const int WinogradMinChannelsCapped = 16;

    /// <summary>
    /// The fewest channels (input and output) from which <see cref="Conv3dForwardMode.Auto"/> uses the Winograd convolution
    /// while oneDNN runs its AVX-512 kernels: from 16 channels it measured 1.5–2.1× faster than oneDNN there (docs/performance.md).
    /// </summary>
    public const int WinogradMinChannelsUncapped = 16;

    /// <summary>
    /// Resolves <see cref="Conv3dForwardMode"/> to the fewest channels — the smaller of a layer's input and output channels —
    /// for which inference convolutions use the Winograd path, or <see langword="null"/> for never (3.4× fewer multiplications;
    /// below 16 channels a layer is too small to gain and was not measured):
    /// <see cref="Conv3dForwardMode.Auto"/> means <see cref="WinogradMinChannelsCapped"/> on x64 with AVX2 while oneDNN runs
    /// below AVX-512 (the guard's cap, a lower user cap, or no AVX-512F), <see cref="WinogradMinChannelsUncapped"/> when oneDNN
    /// runs AVX-512, and never without AVX2; <see cref="Conv3dForwardMode.Winograd"/> means every layer it applies to.
    /// </summary>
    /// <param name="mode">The configured mode.</param>
    /// <param name="cpu">The CPU.</param>
    /// <param name="isaCap">The <c>ONEDNN_MAX_CPU_ISA</c> value in force, or <see langword="null"/>.</param>
    public static int? WinogradMinChannels(Conv3dForwardMode mode, CpuInfo cpu, string? isaCap)
    {
        ArgumentNullException.ThrowIfNull(cpu);
        var supported = cpu.Architecture == System.Runtime.InteropServices.Architecture.X64 && cpu.HasAvx2;
        return mode switch
        {
            Conv3dForwardMode.LibTorch => null,
            _ when !supported => null,
            Conv3dForwardMode.Winograd => 1,
            _ => OneDnnBelowAvx512(cpu, isaCap) ? WinogradMinChannelsCapped : WinogradMinChannelsUncapped,
        };
    }

    private static bool OneDnnBelowAvx512(CpuInfo cpu, string? isaCap) =>
        !cpu.HasAvx512F || (isaCap is { } cap && !cap.StartsWith("AVX512", StringComparison.OrdinalIgnoreCase) &&
            !cap.StartsWith("AVX10", StringComparison.OrdinalIgnoreCase) && !cap.Equals("ALL", StringComparison.OrdinalIgnoreCase));

    /// <summary>Whether LibTorch's CPU library is already mapped into this process (Linux and Windows; false elsewhere).</summary>
    public static bool IsLibTorchLoaded()
    {
        try
        {
            if (OperatingSystem.IsLinux())
            {
                return File.ReadLines("/proc/self/maps").Any(l => l.Contains("libtorch_cpu", StringComparison.Ordinal));
            }

            if (OperatingSystem.IsWindows())
            {
                using var self = System.Diagnostics.Process.GetCurrentProcess();
                return self.Modules.Cast<System.Diagnostics.ProcessModule>()
                    .Any(m => m.ModuleName.Equals("torch_cpu.dll", StringComparison.OrdinalIgnoreCase));
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return false;
    }

    private static string TorchSharpVersion()
    {
        var asm = typeof(torch).Assembly;
        var info = asm.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        return (info ?? asm.GetName().Version?.ToString() ?? "unknown").Split('+')[0];
    }

    private static string LibTorchPackage()
    {
        var files = (AppContext.GetData("APP_CONTEXT_DEPS_FILES") as string ?? string.Empty)
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Concat(Directory.EnumerateFiles(AppContext.BaseDirectory, "*.deps.json"));
        foreach (var file in files)
        {
            try
            {
                var m = LibTorchPackagePattern().Match(File.ReadAllText(file));
                if (m.Success)
                {
                    return m.Groups[1].Value;
                }
            }
            catch (IOException)
            {
            }
        }

        return "unknown";
    }

    [GeneratedRegex(@"""(libtorch-[a-z0-9.\-]+/[0-9][^""]*)""\s*:\s*\{", RegexOptions.IgnoreCase)]
    private static partial Regex LibTorchPackagePattern();

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "oneDNN guard: {Decision}")]
    private static partial void LogGuard(ILogger logger, string decision);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "oneDNN guard: {Decision}, but LibTorch was loaded before Hermes.Core could apply it; float32 conv3d may be wrong on this CPU. Reference Hermes.Core before any torch call, or set ONEDNN_MAX_CPU_ISA=AVX2 in the environment.")]
    private static partial void LogGuardNotInForce(ILogger logger, string decision);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "LibTorch ready: TorchSharp {TorchSharp}, {Package}, device {Device}, {Threads} threads, CPU ISA {Isa}")]
    private static partial void LogRuntime(ILogger logger, string torchSharp, string package, string device, int threads, string isa);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "LibTorch failed to load: {Failure} (missing: {Missing})")]
    private static partial void LogLoadFailure(ILogger logger, NativeLoadFailure failure, string missing);
}
