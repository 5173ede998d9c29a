namespace Hermes.IO.Nifti;

/// <summary>NIfTI-1 / NIfTI-2 / Analyze 7.5: detected by <c>sizeof_hdr</c> (348 or 540, either byte order) and the magic.</summary>
public sealed class NiftiFormat : IVolumeFormat
{
    /// <inheritdoc />
    public string Name => "NIfTI";

    /// <inheritdoc />
    public IReadOnlyList<string> Extensions { get; } = [".nii.gz", ".nii", ".hdr", ".hdr.gz", ".img", ".img.gz"];

    /// <inheritdoc />
    public IVolumeReader Reader { get; } = new NiftiReader();

    /// <inheritdoc />
    public IVolumeWriter? Writer { get; } = new NiftiWriter();

    /// <inheritdoc />
    public bool IsMatch(ReadOnlySpan<byte> header)
    {
        if (NiftiHeader.DetectSize(header) is not { } d)
        {
            return false;
        }

        if (d.Size == NiftiHeader.Nifti2Size)
        {
            return header.Length >= 8 && (header.Slice(4, 4).SequenceEqual("n+2\0"u8) || header.Slice(4, 4).SequenceEqual("ni2\0"u8));
        }

        return header.Length >= 348 && (header.Slice(344, 4).SequenceEqual("n+1\0"u8) || header.Slice(344, 4).SequenceEqual("ni1\0"u8) || header.Slice(344, 4).SequenceEqual("\0\0\0\0"u8));
    }
}
