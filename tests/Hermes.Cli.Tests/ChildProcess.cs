using System.Diagnostics;

namespace Hermes.Cli.Tests;

/// <summary>The one way the tests run another program: output and error captured, a time limit, the process tree killed past it.</summary>
internal static class ChildProcess
{
    /// <summary>A start description for <paramref name="file"/> with <paramref name="args"/> passed as separate arguments.</summary>
    public static ProcessStartInfo StartInfo(string file, IEnumerable<string> args, string? workingDirectory = null)
    {
        var start = new ProcessStartInfo(file) { UseShellExecute = false };
        if (workingDirectory is not null)
        {
            start.WorkingDirectory = workingDirectory;
        }

        foreach (var a in args)
        {
            start.ArgumentList.Add(a);
        }

        return start;
    }

    /// <summary>
    /// Runs the process to its end and returns its exit code, output and error; fails the test when it runs longer than
    /// <paramref name="timeout"/>. <paramref name="whileRunning"/>, when given, is called every 20 ms until it exits.
    /// </summary>
    public static (int ExitCode, string Output, string Error) Run(ProcessStartInfo start, TimeSpan timeout, Action<Process>? whileRunning = null)
    {
        start.RedirectStandardOutput = true;
        start.RedirectStandardError = true;
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEndAsync();
        var error = process.StandardError.ReadToEndAsync();
        var clock = Stopwatch.StartNew();
        var poll = whileRunning is null ? timeout : TimeSpan.FromMilliseconds(20);
        while (!process.WaitForExit(poll))
        {
            if (clock.Elapsed >= timeout)
            {
                process.Kill(entireProcessTree: true);
                Assert.Fail($"{start.FileName} {string.Join(' ', start.ArgumentList)} did not finish within {timeout}");
            }

            whileRunning?.Invoke(process);
        }

        return (process.ExitCode, output.Result, error.Result);
    }
}
