using Hermes.Volumes;

namespace Hermes.IO.Dicom;

/// <summary>A folder holds several DICOM series (or not the requested one): lists them so the caller can choose with <see cref="VolumeReadOptions.SeriesInstanceUid"/>.</summary>
public sealed class DicomSeriesSelectionException : VolumeFormatException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="folder">The folder.</param>
    /// <param name="series">The series found: UID, description and number of files.</param>
    /// <param name="requested">The requested UID, if any.</param>
    public DicomSeriesSelectionException(string folder, IReadOnlyList<(string Uid, string Description, int Files)> series, string? requested)
        : base(folder, "SeriesInstanceUID", requested ?? $"{series.Count} series", requested is null
            ? $"one series, or {SettingName(VolumeReadSetting.SeriesInstanceUid)} set to one of: {Describe(series)}"
            : $"one of: {Describe(series)}")
    {
        Series = series;
        Setting = VolumeReadSetting.SeriesInstanceUid;
    }

    /// <summary>The series in the folder.</summary>
    public IReadOnlyList<(string Uid, string Description, int Files)> Series { get; }

    private static string Describe(IReadOnlyList<(string Uid, string Description, int Files)> series) =>
        string.Join("; ", series.Select(s => $"{s.Uid} (\"{s.Description}\", {s.Files} files)"));
}
