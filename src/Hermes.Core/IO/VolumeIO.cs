using Hermes.IO.Dicom;
using Hermes.IO.MetaImage;
using Hermes.IO.Nifti;
using Hermes.IO.Nrrd;
using Hermes.Volumes;

namespace Hermes.IO;

/// <summary>
/// Reads and writes volumes in any registered format. Reading chooses the format by magic bytes first (a
/// <c>.nii.gz</c> that really is NRRD is read as NRRD), then by extension; a folder is read as a DICOM series.
/// Writing chooses by extension.
/// </summary>
public static class VolumeIO
{
    private static readonly List<IVolumeFormat> RegisteredFormats = [new NiftiFormat(), new NrrdFormat(), new MetaImageFormat(), new DicomFormat()];
    private static readonly object Gate = new();

    /// <summary>The registered formats, in detection order.</summary>
    public static IReadOnlyList<IVolumeFormat> Formats
    {
        get
        {
            lock (Gate)
            {
                return [.. RegisteredFormats];
            }
        }
    }

    /// <summary>Adds a format (tried before the built-in ones).</summary>
    /// <param name="format">The format.</param>
    public static void Register(IVolumeFormat format)
    {
        ArgumentNullException.ThrowIfNull(format);
        lock (Gate)
        {
            RegisteredFormats.Insert(0, format);
        }
    }

    /// <summary>Reads a volume file, or a DICOM series from a folder.</summary>
    /// <param name="path">A file or a folder.</param>
    /// <param name="options">Read options.</param>
    /// <returns>The volume; the caller owns it.</returns>
    /// <exception cref="VolumeFormatException">The file is malformed (names the file and the field) or of no known format.</exception>
    /// <exception cref="NotSupportedException">A valid file uses an unsupported feature (named).</exception>
    /// <exception cref="FileNotFoundException">The path or a file it refers to is missing.</exception>
    public static Volume Read(string path, VolumeReadOptions? options = null) => Detect(path).Reader.Read(path, options);

    /// <summary>Finds the format of a file or folder.</summary>
    /// <param name="path">A file or folder.</param>
    /// <returns>The format.</returns>
    /// <exception cref="VolumeFormatException">No registered format matches.</exception>
    public static IVolumeFormat Detect(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var formats = Formats;
        if (Directory.Exists(path))
        {
            return formats.First(f => f is DicomFormat);
        }

        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Volume file not found: {path}", path);
        }

        var prefix = CompressedFile.ReadPrefix(path, 1024);
        var byMagic = formats.FirstOrDefault(f => f.IsMatch(prefix));
        if (byMagic is not null)
        {
            return byMagic;
        }

        var byExtension = ByExtension(path, formats);
        if (byExtension is not null)
        {
            // .img / .mhd data files and headers without a magic are found by their name.
            return byExtension;
        }

        throw new VolumeFormatException(path, "format", prefix.Length == 0 ? "an empty file" : "unrecognised leading bytes and extension", $"one of: {string.Join(", ", formats.SelectMany(f => f.Extensions))}");
    }

    /// <summary>Writes a volume; the format is chosen by the extension (<c>.nii.gz</c>, <c>.nii</c>, <c>.nrrd</c>, <c>.nhdr</c>, <c>.mha</c>, <c>.mhd</c>).</summary>
    /// <param name="volume">The volume.</param>
    /// <param name="path">The target file.</param>
    /// <param name="options">Write options.</param>
    /// <exception cref="NotSupportedException">No writer for the extension.</exception>
    public static void Write(Volume volume, string path, VolumeWriteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(volume);
        ArgumentNullException.ThrowIfNull(path);
        var format = ByExtension(path, Formats);
        if (format?.Writer is not { } writer)
        {
            throw new NotSupportedException($"No volume writer for '{Path.GetFileName(path)}'; use .nii.gz, .nii, .nrrd, .nhdr, .mha or .mhd.");
        }

        writer.Write(volume, path, options);
    }

    private static IVolumeFormat? ByExtension(string path, IReadOnlyList<IVolumeFormat> formats)
    {
        var name = Path.GetFileName(path).ToLowerInvariant();
        return formats
            .SelectMany(f => f.Extensions.Select(e => (Format: f, Extension: e)))
            .Where(x => name.EndsWith(x.Extension, StringComparison.Ordinal))
            .OrderByDescending(x => x.Extension.Length)
            .Select(x => x.Format)
            .FirstOrDefault();
    }
}
