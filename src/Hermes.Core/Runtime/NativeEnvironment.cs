using System.Runtime.InteropServices;

namespace Hermes.Runtime;

/// <summary>
/// Reads and writes the <em>native</em> process environment. On Linux and macOS
/// <see cref="Environment.SetEnvironmentVariable(string, string)"/> only updates .NET's managed copy, which native
/// libraries such as oneDNN never see; libc's <c>setenv</c> is the only way to reach them.
/// </summary>
internal static partial class NativeEnvironment
{
    /// <summary>Sets a variable where native code reads it.</summary>
    public static void Set(string name, string value)
    {
        if (OperatingSystem.IsWindows())
        {
            Environment.SetEnvironmentVariable(name, value);
            return;
        }

        if (setenv(name, value, 1) != 0)
        {
            throw new InvalidOperationException($"libc setenv(\"{name}\") failed with errno {Marshal.GetLastPInvokeError()}.");
        }

        Environment.SetEnvironmentVariable(name, value);
    }

    /// <summary>Removes a variable from the native environment.</summary>
    public static void Unset(string name)
    {
        if (!OperatingSystem.IsWindows())
        {
            _ = unsetenv(name);
        }

        Environment.SetEnvironmentVariable(name, null);
    }

    /// <summary>Reads a variable from the native environment (what native libraries will see).</summary>
    public static string? Get(string name)
    {
        if (OperatingSystem.IsWindows())
        {
            return Environment.GetEnvironmentVariable(name);
        }

        var ptr = getenv(name);
        return ptr == IntPtr.Zero ? null : Marshal.PtrToStringUTF8(ptr);
    }

    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int setenv(string name, string value, int overwrite);

    [LibraryImport("libc", EntryPoint = "unsetenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int unsetenv(string name);

    [LibraryImport("libc", EntryPoint = "getenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial IntPtr getenv(string name);
}
