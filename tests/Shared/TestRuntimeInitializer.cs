using System.Runtime.CompilerServices;
using Hermes.Runtime;

namespace Hermes.Testing;

/// <summary>Every test assembly goes through the library's runtime guard before any test touches LibTorch.</summary>
internal static class TestRuntimeInitializer
{
    [ModuleInitializer]
    internal static void Initialize() => HermesRuntime.EnsureInitialized();
}
