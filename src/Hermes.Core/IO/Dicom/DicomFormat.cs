namespace Hermes.IO.Dicom;

/// <summary>DICOM series: a folder, or a Part 10 file (<c>DICM</c> at byte 128) whose series is read from its folder. Read-only.</summary>
public sealed class DicomFormat : IVolumeFormat
{
    /// <inheritdoc />
    public string Name => "DICOM";

    /// <inheritdoc />
    public IReadOnlyList<string> Extensions { get; } = [".dcm"];

    /// <inheritdoc />
    public IVolumeReader Reader { get; } = new DicomSeriesReader();

    /// <inheritdoc />
    public IVolumeWriter? Writer => null;

    /// <inheritdoc />
    public bool IsMatch(ReadOnlySpan<byte> header) => DicomFile.HasPart10Magic(header);
}
