namespace Hermes.IO.Nrrd;

/// <summary>NRRD: detected by the <c>NRRD000</c> magic.</summary>
public sealed class NrrdFormat : IVolumeFormat
{
    /// <inheritdoc />
    public string Name => "NRRD";

    /// <inheritdoc />
    public IReadOnlyList<string> Extensions { get; } = [".nrrd", ".nhdr"];

    /// <inheritdoc />
    public IVolumeReader Reader { get; } = new NrrdReader();

    /// <inheritdoc />
    public IVolumeWriter? Writer { get; } = new NrrdWriter();

    /// <inheritdoc />
    public bool IsMatch(ReadOnlySpan<byte> header) => header.StartsWith("NRRD000"u8);
}
