using Hermes.Runtime;
using Hermes.Volumes;

namespace Hermes.IO;

/// <summary>
/// Resolves the data file a detached header names (NRRD <c>data file</c>, MetaImage <c>ElementDataFile</c>) and confines it
/// to the header's folder: a header is data, and without confinement a crafted <c>.nhdr</c>/<c>.mhd</c> dropped into a
/// watched folder could read any file the process can (<c>/etc/passwd</c> as voxels). Absolute paths, <c>..</c> segments
/// that leave the folder and symbolic links whose target lies outside it are refused unless
/// <see cref="VolumeReadOptions.AllowDataFileOutsideHeaderFolder"/> is set. Writers of these formats go through
/// <see cref="Write"/>, one atomic commit for a header with attached data or a header and its detached data file.
/// </summary>
internal static class DetachedDataFile
{
    private static readonly string OutsideFolder = VolumeFormatException.SettingName(VolumeReadSetting.AllowDataFileOutsideHeaderFolder);

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
                    $"a file in the header's folder {folder} (set {OutsideFolder} to read it anyway)")
                {
                    Setting = VolumeReadSetting.AllowDataFileOutsideHeaderFolder,
                };
            }

            if (File.Exists(dataPath) && new FileInfo(dataPath).ResolveLinkTarget(returnFinalTarget: true) is { } target &&
                !IsInside(folder, target.FullName))
            {
                throw new VolumeFormatException(headerPath, field, declared,
                    $"a file in the header's folder {folder}, not a link to {target.FullName} (set {OutsideFolder} to read it anyway)")
                {
                    Setting = VolumeReadSetting.AllowDataFileOutsideHeaderFolder,
                };
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

    /// <summary>
    /// Writes a header and its data atomically: attached (<paramref name="dataPath"/> <see langword="null"/>: the header,
    /// then the data, in <paramref name="path"/>) or detached (the data in <paramref name="dataPath"/>, the header in
    /// <paramref name="path"/>). Both go to temporary files first; the data file is moved into place before its header,
    /// so a reader never finds a header whose data is missing, and a failure leaves neither temporary file behind.
    /// </summary>
    /// <param name="path">The header file (attached: the one file).</param>
    /// <param name="dataPath">The detached data file, or <see langword="null"/> for attached data.</param>
    /// <param name="header">
    /// The header bytes, given the data's length on disk once it is known (<see langword="null"/> before: the attached
    /// header is written ahead of the data and rewritten in place afterwards where it changed, so both calls must give the same length).
    /// </param>
    /// <param name="writeData">Writes the data (compressed or not) to the stream it is given.</param>
    public static void Write(string path, string? dataPath, Func<long?, byte[]> header, Action<Stream> writeData)
    {
        var temporaryData = AtomicFile.TemporaryPathFor(dataPath ?? path);
        var temporaryHeader = dataPath is null ? null : AtomicFile.TemporaryPathFor(path);
        try
        {
            long dataLength;
            using (var file = CompressedFile.Create(temporaryData))
            {
                var provisional = dataPath is null ? header(null) : [];
                file.Write(provisional);
                writeData(file);
                dataLength = file.Position - provisional.Length;
                if (dataPath is null && header(dataLength) is var final && !final.AsSpan().SequenceEqual(provisional))
                {
                    if (final.Length != provisional.Length)
                    {
                        throw new InvalidOperationException($"The header of {path} changed length once the data was written ({provisional.Length} → {final.Length} bytes).");
                    }

                    file.Position = 0;
                    file.Write(final);
                }

                file.Flush(flushToDisk: true);
            }

            if (temporaryHeader is not null)
            {
                File.WriteAllBytes(temporaryHeader, header(dataLength));
                AtomicFile.Commit(temporaryData, dataPath!);
                AtomicFile.Commit(temporaryHeader, path);
            }
            else
            {
                AtomicFile.Commit(temporaryData, path);
            }
        }
        catch
        {
            AtomicFile.Discard(temporaryData);
            if (temporaryHeader is not null)
            {
                AtomicFile.Discard(temporaryHeader);
            }

            throw;
        }
    }
}
