using System.Diagnostics.CodeAnalysis;
using System.Runtime.CompilerServices;

namespace Hermes.Runtime;

/// <summary>Applies the oneDNN guard as soon as Hermes.Core loads, before any code of ours can touch LibTorch.</summary>
internal static class HermesModuleInitializer
{
    [ModuleInitializer]
    [SuppressMessage("Usage", "CA2255:The 'ModuleInitializer' attribute should not be used in libraries",
        Justification = "The oneDNN ISA cap must be in the native environment before LibTorch's first call; it only sets one environment variable.")]
    internal static void ApplyOneDnnGuard()
    {
        // An invalid HERMES_ONEDNN_GUARD value is reported by HermesRuntime.EnsureInitialized; never throw from here.
        OneDnnGuard.Apply(OneDnnGuard.ModeFromEnvironmentOrAuto());
    }
}
