using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using Hermes.Volumes;

namespace Hermes.IO.Dicom;

/// <summary>
/// One DICOM file's top-level elements (values of the tags in <see cref="DicomTag"/> and every other short element),
/// parsed up to the pixel data. Little-endian only (implicit or explicit VR); sequences and undefined lengths are
/// skipped safely; every length is bounds-checked.
/// </summary>
public sealed class DicomFile
{
    private const int MaxDepth = 16;
    private readonly Dictionary<uint, byte[]> values;

    private DicomFile(string path, string transferSyntax, Dictionary<uint, byte[]> values, long pixelOffset, long pixelLength)
    {
        Path = path;
        TransferSyntaxUid = transferSyntax;
        this.values = values;
        PixelDataOffset = pixelOffset;
        PixelDataLength = pixelLength;
    }

    /// <summary>The file.</summary>
    public string Path { get; }

    /// <summary>The transfer syntax UID (implicit VR little endian when the file has no meta header).</summary>
    public string TransferSyntaxUid { get; }

    /// <summary>Byte offset of the pixel data value; −1 when absent.</summary>
    public long PixelDataOffset { get; }

    /// <summary>Length of the pixel data value; −1 (undefined) for encapsulated (compressed) data.</summary>
    public long PixelDataLength { get; }

    /// <summary>Whether the first bytes are a DICOM Part 10 file (<c>DICM</c> at offset 128).</summary>
    /// <param name="header">At least 132 leading bytes.</param>
    /// <returns><see langword="true"/> when the magic is present.</returns>
    public static bool HasPart10Magic(ReadOnlySpan<byte> header) => header.Length >= 132 && header.Slice(128, 4).SequenceEqual("DICM"u8);

    /// <summary>A string value (trailing spaces and NULs removed), or <see langword="null"/>.</summary>
    /// <param name="tag">The tag.</param>
    /// <returns>The value.</returns>
    public string? GetString(uint tag) => values.TryGetValue(tag, out var v) ? Encoding.ASCII.GetString(v).TrimEnd(' ', '\0').Trim() : null;

    /// <summary>A backslash-separated numeric value (DS/IS), or <see langword="null"/>.</summary>
    /// <param name="tag">The tag.</param>
    /// <returns>The numbers.</returns>
    public double[]? GetNumbers(uint tag)
    {
        var s = GetString(tag);
        if (string.IsNullOrWhiteSpace(s))
        {
            return null;
        }

        var parts = s.Split('\\');
        var r = new double[parts.Length];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!double.TryParse(parts[i].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out r[i]) || !double.IsFinite(r[i]))
            {
                throw new VolumeFormatException(Path, $"({tag >> 16:X4},{tag & 0xFFFF:X4})", s.Length > 60 ? s[..60] : s, "decimal numbers separated by \\");
            }
        }

        return r;
    }

    /// <summary>An unsigned short (US) value, or <see langword="null"/>.</summary>
    /// <param name="tag">The tag.</param>
    /// <returns>The value.</returns>
    public int? GetUInt16(uint tag) => values.TryGetValue(tag, out var v) && v.Length >= 2 ? BinaryPrimitives.ReadUInt16LittleEndian(v) : null;

    /// <summary>Parses a file's elements up to (not including) the pixel data value.</summary>
    /// <param name="path">The file.</param>
    /// <returns>The parsed file, or <see langword="null"/> when the file is not DICOM.</returns>
    /// <exception cref="VolumeFormatException">The file is DICOM but malformed (an element runs past the end, a bad length…).</exception>
    public static DicomFile? TryParse(string path)
    {
        var bytes = File.ReadAllBytes(path);
        return TryParse(path, bytes);
    }

    /// <summary>Parses file bytes (see <see cref="TryParse(string)"/>).</summary>
    /// <param name="path">The file name, for errors.</param>
    /// <param name="bytes">The file's bytes.</param>
    /// <returns>The parsed file, or <see langword="null"/> when not DICOM.</returns>
    public static DicomFile? TryParse(string path, byte[] bytes)
    {
        ArgumentNullException.ThrowIfNull(bytes);
        var values = new Dictionary<uint, byte[]>();
        long pos;
        var syntax = DicomTransferSyntax.ImplicitVrLittleEndian;
        if (HasPart10Magic(bytes))
        {
            pos = 132;
            while (pos + 8 <= bytes.Length && BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan((int)pos)) == 0x0002)
            {
                pos = ReadElement(path, bytes, pos, explicitVr: true, values, depth: 0, out _);
            }

            syntax = values.TryGetValue(DicomTag.TransferSyntaxUid, out var ts) ? Encoding.ASCII.GetString(ts).TrimEnd(' ', '\0') : syntax;
        }
        else
        {
            // No preamble: accept only a plausible first element (group 0002 or 0008, even group) — otherwise not DICOM.
            if (bytes.Length < 8)
            {
                return null;
            }

            var group = BinaryPrimitives.ReadUInt16LittleEndian(bytes);
            if (group is not (0x0002 or 0x0008))
            {
                return null;
            }

            pos = 0;
        }

        if (syntax == "1.2.840.10008.1.2.2" || syntax == "1.2.840.10008.1.2.1.99")
        {
            return new DicomFile(path, syntax, values, -1, -1);
        }

        var explicitVr = syntax != DicomTransferSyntax.ImplicitVrLittleEndian;
        long pixelOffset = -1, pixelLength = -1;
        while (pos + 8 <= bytes.Length)
        {
            var tag = ((uint)BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan((int)pos)) << 16) | BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan((int)pos + 2));
            if (tag == DicomTag.PixelData)
            {
                var (valueOffset, length) = Header(path, bytes, pos, explicitVr, out _);
                pixelOffset = valueOffset;
                pixelLength = length == uint.MaxValue ? -1 : length;
                if (pixelLength >= 0 && valueOffset + pixelLength > bytes.Length)
                {
                    throw new VolumeFormatException(path, "PixelData (7FE0,0010)", $"{pixelLength} bytes at offset {valueOffset}", $"data within the {bytes.Length}-byte file (truncated?)");
                }

                break;
            }

            pos = ReadElement(path, bytes, pos, explicitVr, values, depth: 0, out _);
        }

        return new DicomFile(path, syntax, values, pixelOffset, pixelLength);
    }

    private static (long ValueOffset, uint Length) Header(string path, byte[] b, long pos, bool explicitVr, out string vr)
    {
        vr = "";
        if (explicitVr)
        {
            var tagGroup = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan((int)pos));
            var tagElement = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan((int)pos + 2));
            if (tagGroup == 0xFFFE)
            {
                return (pos + 8, BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan((int)pos + 4)));
            }

            vr = Encoding.ASCII.GetString(b, (int)pos + 4, 2);
            if (vr is "OB" or "OW" or "OF" or "SQ" or "UT" or "UN" or "OD" or "OL" or "OV" or "UC" or "UR" or "SV" or "UV")
            {
                if (pos + 12 > b.Length)
                {
                    throw new VolumeFormatException(path, $"element ({tagGroup:X4},{tagElement:X4})", "header past the end of the file", "a complete element (file truncated?)");
                }

                return (pos + 12, BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan((int)pos + 8)));
            }

            if (!(char.IsAsciiLetterUpper(vr[0]) && char.IsAsciiLetterUpper(vr[1])))
            {
                throw new VolumeFormatException(path, $"element ({tagGroup:X4},{tagElement:X4}) VR", vr.Any(char.IsControl) ? "non-text bytes" : vr, "a two-letter value representation (explicit VR)");
            }

            return (pos + 8, BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan((int)pos + 6)));
        }

        return (pos + 8, BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan((int)pos + 4)));
    }

    private static long ReadElement(string path, byte[] b, long pos, bool explicitVr, Dictionary<uint, byte[]>? values, int depth, out uint tag)
    {
        if (pos + 8 > b.Length)
        {
            throw new VolumeFormatException(path, "element", $"header at offset {pos}", $"a complete element within the {b.Length}-byte file (truncated?)");
        }

        tag = ((uint)BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan((int)pos)) << 16) | BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan((int)pos + 2));
        var (valueOffset, length) = Header(path, b, pos, explicitVr, out var vr);
        if (length == uint.MaxValue)
        {
            if (depth > MaxDepth)
            {
                throw new VolumeFormatException(path, $"element ({tag >> 16:X4},{tag & 0xFFFF:X4})", $"sequences nested deeper than {MaxDepth}", "a sane nesting depth");
            }

            return SkipUndefined(path, b, valueOffset, explicitVr, depth + 1);
        }

        var end = valueOffset + length;
        if (end > b.Length)
        {
            throw new VolumeFormatException(path, $"element ({tag >> 16:X4},{tag & 0xFFFF:X4}) length", length.ToString(CultureInfo.InvariantCulture), $"a value within the {b.Length}-byte file (truncated?)");
        }

        if (values is not null && vr != "SQ" && length <= 1024)
        {
            values[tag] = b.AsSpan((int)valueOffset, (int)length).ToArray();
        }

        return end;
    }

    /// <summary>Skips a sequence or encapsulated value of undefined length: items until the sequence delimiter.</summary>
    private static long SkipUndefined(string path, byte[] b, long pos, bool explicitVr, int depth)
    {
        while (true)
        {
            if (pos + 8 > b.Length)
            {
                throw new VolumeFormatException(path, "sequence", "no sequence delimiter before the end of the file", "(FFFE,E0DD) closing an undefined-length value");
            }

            var group = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan((int)pos));
            var element = BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan((int)pos + 2));
            var length = BinaryPrimitives.ReadUInt32LittleEndian(b.AsSpan((int)pos + 4));
            if (group != 0xFFFE)
            {
                throw new VolumeFormatException(path, "sequence item", $"({group:X4},{element:X4})", "an item (FFFE,E000) or delimiter (FFFE,E0DD)");
            }

            pos += 8;
            if (element == 0xE0DD)
            {
                return pos;
            }

            if (element != 0xE000)
            {
                continue;
            }

            if (length != uint.MaxValue)
            {
                pos += length;
                if (pos > b.Length)
                {
                    throw new VolumeFormatException(path, "sequence item length", length.ToString(CultureInfo.InvariantCulture), "an item within the file (truncated?)");
                }

                continue;
            }

            // Item of undefined length: nested elements until the item delimiter (FFFE,E00D).
            while (true)
            {
                if (pos + 8 > b.Length)
                {
                    throw new VolumeFormatException(path, "sequence item", "no item delimiter before the end of the file", "(FFFE,E00D)");
                }

                if (BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan((int)pos)) == 0xFFFE && BinaryPrimitives.ReadUInt16LittleEndian(b.AsSpan((int)pos + 2)) == 0xE00D)
                {
                    pos += 8;
                    break;
                }

                pos = ReadElement(path, b, pos, explicitVr, null, depth, out _);
            }
        }
    }
}
