namespace Hermes.IO;

/// <summary>A volume file format: its name, file extensions, magic-byte detector, reader and (optional) writer.</summary>
public interface IVolumeFormat
{
    /// <summary>The format's name (<c>NIfTI</c>, <c>NRRD</c>, <c>MetaImage</c>, <c>DICOM</c>).</summary>
    string Name { get; }

    /// <summary>Lower-case file extensions including the dot (<c>.nii.gz</c>, <c>.nii</c>, …).</summary>
    IReadOnlyList<string> Extensions { get; }

    /// <summary>Whether the first bytes of a file (decompressed if the file is gzip) belong to this format.</summary>
    /// <param name="header">Up to the first 1024 bytes.</param>
    /// <returns><see langword="true"/> on a magic-byte match.</returns>
    bool IsMatch(ReadOnlySpan<byte> header);

    /// <summary>The reader.</summary>
    IVolumeReader Reader { get; }

    /// <summary>The writer, or <see langword="null"/> for a read-only format.</summary>
    IVolumeWriter? Writer { get; }
}
