using Hermes.Volumes;

namespace Hermes.IO;

/// <summary>
/// Resolves the data file a detached header names (NRRD <c>data file</c>, MetaImage <c>ElementDataFile</c>) and confines it
/// to the header's folder: a header is data, and without confinement a crafted <c>.nhdr</c>/<c>.mhd</c> dropped into a
/// watched folder could read any file the process can (<c>/etc/passwd</c> as voxels). Absolute paths, <c>..</c> segments
/// that leave the folder and symbolic links whose target lies outside it are refused unless
/// <see cref="VolumeReadOptions.AllowDataFileOutsideHeaderFolder"/> is set.
/// </summary>
internal static class DetachedDataFile
{
    /// <summary>Resolves <paramref name="declared"/> relative to the folder of <paramref name="headerPath"/>.</summary>
    /// <param name="headerPath">The header file.</param>
    /// <param name="field">The header field that named the file (for messages).</param>
    /// <param name="declared">The file name as the header declares it.</param>
    /// <param name="options">The read options.</param>
    /// <returns>The full path of an existing data file.</returns>
    /// <exception cref="VolumeFormatException">The file lies outside the header's folder and the options do not allow it.</exception>
    /// <exception cref="FileNotFoundException">The file does not exist.</exception>
    public static string Resolve(string headerPath, string field, string declared, VolumeReadOptions options)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(headerPath)) ?? Path.GetFullPath(".");
        var dataPath = Path.GetFullPath(declared, folder);
        if (!options.AllowDataFileOutsideHeaderFolder)
        {
            if (!IsInside(folder, dataPath))
            {
                throw new VolumeFormatException(headerPath, field, declared,
                    $"a file in the header's folder {folder} (set VolumeReadOptions.AllowDataFileOutsideHeaderFolder to read it anyway)");
            }

            if (File.Exists(dataPath) && new FileInfo(dataPath).ResolveLinkTarget(returnFinalTarget: true) is { } target &&
                !IsInside(folder, target.FullName))
            {
                throw new VolumeFormatException(headerPath, field, declared,
                    $"a file in the header's folder {folder}, not a link to {target.FullName} (set VolumeReadOptions.AllowDataFileOutsideHeaderFolder to read it anyway)");
            }
        }

        if (!File.Exists(dataPath))
        {
            throw new FileNotFoundException($"{headerPath}: the {field} \"{declared}\" does not exist ({dataPath}).", dataPath);
        }

        return dataPath;
    }

    private static bool IsInside(string folder, string path)
    {
        var root = Path.TrimEndingDirectorySeparator(folder) + Path.DirectorySeparatorChar;
        return path.StartsWith(root, OperatingSystem.IsWindows() ? StringComparison.OrdinalIgnoreCase : StringComparison.Ordinal);
    }
}
