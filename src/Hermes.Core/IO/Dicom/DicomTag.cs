namespace Hermes.IO.Dicom;

/// <summary>The DICOM tags the series reader uses, as <c>(group &lt;&lt; 16) | element</c>.</summary>
public static class DicomTag
{
    /// <summary>(0002,0010) TransferSyntaxUID.</summary>
    public const uint TransferSyntaxUid = 0x00020010;

    /// <summary>(0008,0060) Modality.</summary>
    public const uint Modality = 0x00080060;

    /// <summary>(0008,103E) SeriesDescription.</summary>
    public const uint SeriesDescription = 0x0008103E;

    /// <summary>(0018,0050) SliceThickness.</summary>
    public const uint SliceThickness = 0x00180050;

    /// <summary>(0020,000E) SeriesInstanceUID.</summary>
    public const uint SeriesInstanceUid = 0x0020000E;

    /// <summary>(0020,0013) InstanceNumber.</summary>
    public const uint InstanceNumber = 0x00200013;

    /// <summary>(0020,0032) ImagePositionPatient.</summary>
    public const uint ImagePositionPatient = 0x00200032;

    /// <summary>(0020,0037) ImageOrientationPatient.</summary>
    public const uint ImageOrientationPatient = 0x00200037;

    /// <summary>(0028,0002) SamplesPerPixel.</summary>
    public const uint SamplesPerPixel = 0x00280002;

    /// <summary>(0028,0008) NumberOfFrames.</summary>
    public const uint NumberOfFrames = 0x00280008;

    /// <summary>(0028,0010) Rows.</summary>
    public const uint Rows = 0x00280010;

    /// <summary>(0028,0011) Columns.</summary>
    public const uint Columns = 0x00280011;

    /// <summary>(0028,0030) PixelSpacing.</summary>
    public const uint PixelSpacing = 0x00280030;

    /// <summary>(0028,0100) BitsAllocated.</summary>
    public const uint BitsAllocated = 0x00280100;

    /// <summary>(0028,0101) BitsStored.</summary>
    public const uint BitsStored = 0x00280101;

    /// <summary>(0028,0103) PixelRepresentation.</summary>
    public const uint PixelRepresentation = 0x00280103;

    /// <summary>(0028,1052) RescaleIntercept.</summary>
    public const uint RescaleIntercept = 0x00281052;

    /// <summary>(0028,1053) RescaleSlope.</summary>
    public const uint RescaleSlope = 0x00281053;

    /// <summary>(7FE0,0010) PixelData.</summary>
    public const uint PixelData = 0x7FE00010;
}
