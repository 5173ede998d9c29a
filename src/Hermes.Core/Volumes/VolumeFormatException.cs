namespace Hermes.Volumes;

/// <summary>
/// A volume file is malformed: truncated, wrong magic, a header field out of range or inconsistent with the file.
/// Raised before any large allocation. Names the file, the header field, the value found and what was expected.
/// </summary>
public class VolumeFormatException : IOException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="file">The file (or folder) being read.</param>
    /// <param name="field">The header field or part of the file at fault (e.g. <c>dim</c>, <c>sizeof_hdr</c>, <c>gzip stream</c>).</param>
    /// <param name="value">The value found.</param>
    /// <param name="expected">What a valid file has there.</param>
    /// <param name="inner">The underlying exception, if any.</param>
    public VolumeFormatException(string file, string field, string value, string expected, Exception? inner = null)
        : base($"{file}: invalid {field} = {value}; expected {expected}.", inner)
    {
        File = file;
        Field = field;
        Value = value;
        Expected = expected;
    }

    /// <summary>The file (or folder) being read.</summary>
    public string File { get; }

    /// <summary>The header field or part of the file at fault.</summary>
    public string Field { get; }

    /// <summary>The value found.</summary>
    public string Value { get; }

    /// <summary>What a valid file has there.</summary>
    public string Expected { get; }

    /// <summary>
    /// The reader setting that would accept this input (the message names it as <see cref="SettingName"/> gives it), or
    /// <see langword="null"/> when no setting would.
    /// </summary>
    public VolumeReadSetting? Setting { get; init; }

    /// <summary>How the library's messages name a reader setting: <c>VolumeReadOptions.MaxVoxels</c>, ….</summary>
    /// <param name="setting">The setting.</param>
    /// <returns>The name.</returns>
    public static string SettingName(VolumeReadSetting setting) => $"VolumeReadOptions.{setting}";
}
