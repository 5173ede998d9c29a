using System.Runtime.InteropServices;

namespace Hermes.Experiments;

/// <summary>What the results were measured on: processor, cores, memory, operating system, load.</summary>
public static class MachineInfo
{
    /// <summary>The 1-, 5- and 15-minute load averages (Linux), or an empty string.</summary>
    /// <returns>For example <c>1.02 0.87 0.65</c>.</returns>
    public static string LoadAverage()
    {
        try
        {
            var parts = File.ReadAllText("/proc/loadavg").Split(' ');
            return string.Join(' ', parts.Take(3));
        }
        catch (IOException)
        {
            return "";
        }
        catch (UnauthorizedAccessException)
        {
            return "";
        }
    }

    /// <summary>The processor model name (Linux <c>/proc/cpuinfo</c>), or the architecture.</summary>
    /// <returns>The name.</returns>
    public static string Processor()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            if (line is not null)
            {
                return line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
            }
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }

        return RuntimeInformation.ProcessArchitecture.ToString();
    }

    /// <summary>A one-line description: processor, logical cores, memory, OS, .NET.</summary>
    /// <returns>The line.</returns>
    public static string Describe() =>
        $"{Processor()}, {Environment.ProcessorCount} logical cores, {GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / (1L << 30)} GiB, {RuntimeInformation.OSDescription}, .NET {Environment.Version}";
}
