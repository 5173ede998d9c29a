using System.Diagnostics;

namespace Hermes.Cli.Tests;

/// <summary>Runs the built <c>hermes</c> tool as a process and captures its output.</summary>
internal static class HermesProcess
{
    public static (int ExitCode, string Output, string Error) Run(TimeSpan timeout, params string[] args) =>
        Run(timeout, new Dictionary<string, string?>(), args);

    /// <summary>Runs <c>hermes</c> with extra environment variables (a <see langword="null"/> value removes one).</summary>
    public static (int ExitCode, string Output, string Error) Run(TimeSpan timeout, IReadOnlyDictionary<string, string?> environment, params string[] args) =>
        ChildProcess.Run(StartInfo(environment, args), timeout);

    /// <summary>
    /// Runs <c>hermes</c> and samples its peak resident memory (<c>VmHWM</c> of <c>/proc/PID/status</c>, a high-water mark)
    /// every 20 ms while it runs; <c>PeakResidentBytes</c> is the last sample, 0 where <c>/proc</c> is unavailable.
    /// </summary>
    public static (int ExitCode, string Output, string Error, long PeakResidentBytes) RunMeasuringMemory(TimeSpan timeout, params string[] args)
    {
        long peak = 0;
        var (code, output, error) = ChildProcess.Run(StartInfo(new Dictionary<string, string?>(), args), timeout, process =>
        {
            try
            {
                var line = File.ReadLines($"/proc/{process.Id}/status").FirstOrDefault(l => l.StartsWith("VmHWM:", StringComparison.Ordinal));
                if (line is not null)
                {
                    peak = Math.Max(peak, 1024 * long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture));
                }
            }
            catch (IOException)
            {
                // The process ended between the check and the read.
            }
        });
        return (code, output, error, peak);
    }

    /// <summary>
    /// Starts <c>hermes</c> with standard output and error redirected and SIGINT/SIGTERM at their default disposition; the
    /// caller reads the streams and waits. A process started from a non-interactive shell's background job inherits SIGINT
    /// as ignored (POSIX), and so would <c>hermes</c>; <c>env --default-signal</c> (coreutils) resets it before the tool
    /// starts, in the same process (it execs), so a test can send the signals a user's terminal would.
    /// </summary>
    public static Process StartWithDefaultSignals(params string[] args)
    {
        var start = StartInfo(new Dictionary<string, string?>(), args);
        start.ArgumentList.Insert(0, start.FileName);
        start.ArgumentList.Insert(0, "--default-signal=INT,TERM");
        start.FileName = "env";
        return Process.Start(start)!;
    }

    private static ProcessStartInfo StartInfo(IReadOnlyDictionary<string, string?> environment, string[] args)
    {
        var hermes = Path.Combine(AppContext.BaseDirectory, "hermes.dll");
        var dotnet = Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host : "dotnet";
        var start = ChildProcess.StartInfo(dotnet, [hermes, .. args]);
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;

        start.Environment["COLUMNS"] = "200";
        foreach (var (name, value) in environment)
        {
            if (value is null)
            {
                start.Environment.Remove(name);
            }
            else
            {
                start.Environment[name] = value;
            }
        }

        return start;
    }
}
