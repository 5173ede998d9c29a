using Hermes.Volumes;

namespace Hermes.IO;

/// <summary>Writes a volume with its geometry. Writers never leave a half-written file: they write a temporary file in the target folder and move it into place.</summary>
public interface IVolumeWriter
{
    /// <summary>Writes a volume.</summary>
    /// <param name="volume">The volume.</param>
    /// <param name="path">The target file; its extension selects compression where the format has a choice (<c>.nii.gz</c>).</param>
    /// <param name="options">Write options; <see langword="null"/> for the defaults.</param>
    void Write(Volume volume, string path, VolumeWriteOptions? options = null);
}
