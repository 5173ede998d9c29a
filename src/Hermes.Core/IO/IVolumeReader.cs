using Hermes.Volumes;

namespace Hermes.IO;

/// <summary>Reads a volume and its geometry (the nnU-Net contract: every reader returns the grid with the voxels).</summary>
public interface IVolumeReader
{
    /// <summary>Reads a volume.</summary>
    /// <param name="path">The file (or, for DICOM, the folder).</param>
    /// <param name="options">Read options; <see langword="null"/> for the defaults.</param>
    /// <returns>The volume; the caller owns it.</returns>
    /// <exception cref="VolumeFormatException">The file is malformed (the message names the file and the field).</exception>
    /// <exception cref="NotSupportedException">The file is valid but uses a feature this reader does not support (named).</exception>
    /// <exception cref="FileNotFoundException">The file, or a file it points to (e.g. a <c>.img</c> or detached data file), is missing.</exception>
    Volume Read(string path, VolumeReadOptions? options = null);
}
