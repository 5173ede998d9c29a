namespace Hermes.Checkpoints;

/// <summary>A strict state-dict load found missing, unexpected or mis-shaped keys; nothing was copied.</summary>
public sealed class StateDictMismatchException : Exception
{
    /// <summary>Creates the exception from the load report.</summary>
    /// <param name="report">The report.</param>
    /// <param name="moduleName">The module's type name, for the message.</param>
    public StateDictMismatchException(StateDictLoadReport report, string moduleName)
        : base($"State dict does not match {moduleName}: {(report ?? throw new ArgumentNullException(nameof(report))).Describe()}")
    {
        Report = report;
    }

    /// <summary>The report of missing, unexpected and mis-shaped keys.</summary>
    public StateDictLoadReport Report { get; }
}
