namespace Hermes.IO.Dicom;

/// <summary>DICOM transfer syntaxes: which are read (implicit and explicit VR little endian) and the names of the rest.</summary>
public static class DicomTransferSyntax
{
    /// <summary>Implicit VR Little Endian (the default).</summary>
    public const string ImplicitVrLittleEndian = "1.2.840.10008.1.2";

    /// <summary>Explicit VR Little Endian.</summary>
    public const string ExplicitVrLittleEndian = "1.2.840.10008.1.2.1";

    /// <summary>Whether voxels of this syntax can be read.</summary>
    /// <param name="uid">The TransferSyntaxUID.</param>
    /// <returns><see langword="true"/> for the two uncompressed little-endian syntaxes.</returns>
    public static bool IsSupported(string uid) => uid is ImplicitVrLittleEndian or ExplicitVrLittleEndian;

    /// <summary>A readable name of a transfer syntax UID.</summary>
    /// <param name="uid">The UID.</param>
    /// <returns>The name, or "unknown transfer syntax".</returns>
    public static string Name(string uid) => uid switch
    {
        ImplicitVrLittleEndian => "Implicit VR Little Endian",
        ExplicitVrLittleEndian => "Explicit VR Little Endian",
        "1.2.840.10008.1.2.1.99" => "Deflated Explicit VR Little Endian",
        "1.2.840.10008.1.2.2" => "Explicit VR Big Endian (retired)",
        "1.2.840.10008.1.2.4.50" => "JPEG Baseline (Process 1)",
        "1.2.840.10008.1.2.4.51" => "JPEG Extended (Process 2 & 4)",
        "1.2.840.10008.1.2.4.57" => "JPEG Lossless, Non-Hierarchical (Process 14)",
        "1.2.840.10008.1.2.4.70" => "JPEG Lossless, Non-Hierarchical, First-Order Prediction (Process 14, SV1)",
        "1.2.840.10008.1.2.4.80" => "JPEG-LS Lossless",
        "1.2.840.10008.1.2.4.81" => "JPEG-LS Near-Lossless",
        "1.2.840.10008.1.2.4.90" => "JPEG 2000 Image Compression (Lossless Only)",
        "1.2.840.10008.1.2.4.91" => "JPEG 2000 Image Compression",
        "1.2.840.10008.1.2.4.201" => "High-Throughput JPEG 2000 (Lossless Only)",
        "1.2.840.10008.1.2.4.203" => "High-Throughput JPEG 2000",
        "1.2.840.10008.1.2.5" => "RLE Lossless",
        "1.2.840.10008.1.2.4.100" => "MPEG2 Main Profile / Main Level",
        "1.2.840.10008.1.2.4.102" => "MPEG-4 AVC/H.264 High Profile",
        _ => "unknown transfer syntax",
    };
}
