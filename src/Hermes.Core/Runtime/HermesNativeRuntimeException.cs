namespace Hermes.Runtime;

/// <summary>
/// TorchSharp's native runtime (LibTorch) could not be loaded. The message names the cause, what is missing and the fix.
/// </summary>
public sealed class HermesNativeRuntimeException : Exception
{
    /// <summary>Creates the exception from a diagnosis.</summary>
    /// <param name="diagnosis">The diagnosed failure.</param>
    /// <param name="innerException">The original loader exception.</param>
    public HermesNativeRuntimeException(NativeLoadDiagnosis diagnosis, Exception? innerException = null)
        : base((diagnosis ?? throw new ArgumentNullException(nameof(diagnosis))).ToMessage(), innerException)
    {
        Diagnosis = diagnosis;
    }

    /// <summary>The diagnosed cause, what is missing and the remedy.</summary>
    public NativeLoadDiagnosis Diagnosis { get; }

    /// <summary>The recognised cause.</summary>
    public NativeLoadFailure Failure => Diagnosis.Failure;
}
