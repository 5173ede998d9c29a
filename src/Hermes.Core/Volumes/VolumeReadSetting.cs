namespace Hermes.Volumes;

/// <summary>
/// A reader setting (a property of <c>Hermes.IO.VolumeReadOptions</c>) that decides whether an input is accepted. A
/// <see cref="VolumeFormatException"/> that a different setting would avoid names it in <see cref="VolumeFormatException.Setting"/>,
/// so a front end can tell its users how to ask for it (the <c>hermes</c> tool names its flag).
/// </summary>
public enum VolumeReadSetting
{
    /// <summary><c>VolumeReadOptions.MaxVoxels</c>: the largest voxel count a header may claim.</summary>
    MaxVoxels,

    /// <summary><c>VolumeReadOptions.SeriesInstanceUid</c>: the DICOM series to read from a folder of several.</summary>
    SeriesInstanceUid,

    /// <summary><c>VolumeReadOptions.SliceSpacingTolerance</c>: how uneven DICOM slice gaps may be.</summary>
    SliceSpacingTolerance,

    /// <summary><c>VolumeReadOptions.AllowDataFileOutsideHeaderFolder</c>: whether a detached header may name a data file outside its folder.</summary>
    AllowDataFileOutsideHeaderFolder,
}
