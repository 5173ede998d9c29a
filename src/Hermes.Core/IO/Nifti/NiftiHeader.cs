using System.Buffers.Binary;
using System.Text;
using Hermes.Volumes;

namespace Hermes.IO.Nifti;

/// <summary>
/// A NIfTI-1, NIfTI-2 or Analyze 7.5 header, held in NIfTI-2 precision (int64 dims, double pixdim) whichever version
/// the file is. Parsing validates nothing beyond the layout; <see cref="NiftiReader"/> validates the content.
/// </summary>
public sealed class NiftiHeader
{
    /// <summary>Size of a NIfTI-1 / Analyze header.</summary>
    public const int Nifti1Size = 348;

    /// <summary>Size of a NIfTI-2 header.</summary>
    public const int Nifti2Size = 540;

    /// <summary>1 or 2; 0 for an Analyze 7.5 header (no NIfTI magic).</summary>
    public int Version { get; init; }

    /// <summary>Whether the header (and data) are big-endian, detected from <c>sizeof_hdr</c>.</summary>
    public bool IsBigEndian { get; init; }

    /// <summary>Whether the data follows the header in the same file (<c>n+1</c>/<c>n+2</c>) rather than in a <c>.img</c> (<c>ni1</c>/<c>ni2</c>, Analyze).</summary>
    public bool IsSingleFile { get; init; }

    /// <summary>The magic string, e.g. <c>n+1</c>.</summary>
    public string Magic { get; init; } = "";

    /// <summary><c>dim[0..7]</c>: dim[0] is the number of dimensions.</summary>
    public long[] Dim { get; init; } = new long[8];

    /// <summary><c>datatype</c> code.</summary>
    public int DataType { get; init; }

    /// <summary><c>bitpix</c>.</summary>
    public int BitPix { get; init; }

    /// <summary><c>pixdim[0..7]</c>: pixdim[0] is qfac.</summary>
    public double[] PixDim { get; init; } = new double[8];

    /// <summary><c>vox_offset</c>: byte offset of the voxel data.</summary>
    public double VoxOffset { get; init; }

    /// <summary><c>scl_slope</c>.</summary>
    public double SclSlope { get; init; }

    /// <summary><c>scl_inter</c>.</summary>
    public double SclInter { get; init; }

    /// <summary><c>qform_code</c>.</summary>
    public int QformCode { get; init; }

    /// <summary><c>sform_code</c>.</summary>
    public int SformCode { get; init; }

    /// <summary><c>quatern_b, quatern_c, quatern_d</c>.</summary>
    public double[] Quatern { get; init; } = new double[3];

    /// <summary><c>qoffset_x, qoffset_y, qoffset_z</c>.</summary>
    public double[] QOffset { get; init; } = new double[3];

    /// <summary><c>srow_x, srow_y, srow_z</c> as a 3×4 matrix.</summary>
    public double[,] SRow { get; init; } = new double[3, 4];

    /// <summary><c>xyzt_units</c>.</summary>
    public int XyztUnits { get; init; }

    /// <summary><c>intent_code</c>.</summary>
    public int IntentCode { get; init; }

    /// <summary><c>descrip</c>.</summary>
    public string Description { get; init; } = "";

    /// <summary>Header size in bytes (348 or 540).</summary>
    public int SizeOfHeader => Version == 2 ? Nifti2Size : Nifti1Size;

    /// <summary>
    /// Reads the <c>sizeof_hdr</c> field of the first 4 bytes: returns the header size (348/540) and endianness, or
    /// <see langword="null"/> when it is neither in either byte order.
    /// </summary>
    /// <param name="first4">The first four bytes.</param>
    /// <returns>The size and byte order, or <see langword="null"/>.</returns>
    public static (int Size, bool BigEndian)? DetectSize(ReadOnlySpan<byte> first4)
    {
        if (first4.Length < 4)
        {
            return null;
        }

        var le = BinaryPrimitives.ReadInt32LittleEndian(first4);
        var be = BinaryPrimitives.ReadInt32BigEndian(first4);
        return le switch
        {
            Nifti1Size => (Nifti1Size, false),
            Nifti2Size => (Nifti2Size, false),
            _ => be switch
            {
                Nifti1Size => (Nifti1Size, true),
                Nifti2Size => (Nifti2Size, true),
                _ => null,
            },
        };
    }

    /// <summary>Parses a header from its bytes (348 or 540, as <see cref="DetectSize"/> says).</summary>
    /// <param name="bytes">The header bytes.</param>
    /// <param name="file">The file, for error messages.</param>
    /// <returns>The header.</returns>
    /// <exception cref="VolumeFormatException">Wrong <c>sizeof_hdr</c>, truncated header or wrong magic.</exception>
    public static NiftiHeader Parse(ReadOnlySpan<byte> bytes, string file)
    {
        if (bytes.Length < 4)
        {
            throw NiftiThrowHelper.Truncated(file, bytes.Length, Nifti1Size);
        }

        var detected = DetectSize(bytes) ?? throw NiftiThrowHelper.Invalid(file, "sizeof_hdr", BinaryPrimitives.ReadInt32LittleEndian(bytes), "348 (NIfTI-1/Analyze) or 540 (NIfTI-2) in either byte order");
        var (size, be) = detected;
        if (bytes.Length < size)
        {
            throw NiftiThrowHelper.Truncated(file, bytes.Length, size);
        }

        var r = new FieldReader(bytes, be);
        return size == Nifti2Size ? Parse2(r, bytes, file, be) : Parse1(r, bytes, file, be);
    }

    private static NiftiHeader Parse1(FieldReader r, ReadOnlySpan<byte> bytes, string file, bool be)
    {
        var magic = Encoding.ASCII.GetString(bytes.Slice(344, 4)).TrimEnd('\0');
        int version;
        bool single;
        switch (magic)
        {
            case "n+1":
                version = 1;
                single = true;
                break;
            case "ni1":
                version = 1;
                single = false;
                break;
            case "":
                version = 0;
                single = false;
                break;
            default:
                throw NiftiThrowHelper.Invalid(file, "magic", Printable(bytes.Slice(344, 4)), "\"n+1\" or \"ni1\" (or 4 zero bytes for Analyze 7.5)");
        }

        var dim = new long[8];
        var pixdim = new double[8];
        for (var i = 0; i < 8; i++)
        {
            dim[i] = r.Int16(40 + (2 * i));
            pixdim[i] = r.Single(76 + (4 * i));
        }

        var srow = new double[3, 4];
        for (var row = 0; row < 3; row++)
        {
            for (var c = 0; c < 4; c++)
            {
                srow[row, c] = r.Single(280 + (16 * row) + (4 * c));
            }
        }

        var analyze = version == 0;
        return new NiftiHeader
        {
            Version = version,
            IsBigEndian = be,
            IsSingleFile = single,
            Magic = magic,
            Dim = dim,
            DataType = r.Int16(70),
            BitPix = r.Int16(72),
            PixDim = pixdim,
            VoxOffset = r.Single(108),
            SclSlope = analyze ? 0 : r.Single(112),
            SclInter = analyze ? 0 : r.Single(116),
            QformCode = analyze ? 0 : r.Int16(252),
            SformCode = analyze ? 0 : r.Int16(254),
            Quatern = [r.Single(256), r.Single(260), r.Single(264)],
            QOffset = [r.Single(268), r.Single(272), r.Single(276)],
            SRow = srow,
            XyztUnits = bytes[123],
            IntentCode = r.Int16(68),
            Description = Encoding.ASCII.GetString(bytes.Slice(148, 80)).TrimEnd('\0'),
        };
    }

    private static NiftiHeader Parse2(FieldReader r, ReadOnlySpan<byte> bytes, string file, bool be)
    {
        var magic = bytes.Slice(4, 8);
        bool single;
        if (magic.SequenceEqual("n+2\0\r\n\u001a\n"u8))
        {
            single = true;
        }
        else if (magic.SequenceEqual("ni2\0\r\n\u001a\n"u8))
        {
            single = false;
        }
        else
        {
            throw NiftiThrowHelper.Invalid(file, "magic", Printable(magic), "\"n+2\\0\\r\\n\\032\\n\" or \"ni2\\0\\r\\n\\032\\n\"");
        }

        var dim = new long[8];
        var pixdim = new double[8];
        for (var i = 0; i < 8; i++)
        {
            dim[i] = r.Int64(16 + (8 * i));
            pixdim[i] = r.Double(104 + (8 * i));
        }

        var srow = new double[3, 4];
        for (var row = 0; row < 3; row++)
        {
            for (var c = 0; c < 4; c++)
            {
                srow[row, c] = r.Double(400 + (32 * row) + (8 * c));
            }
        }

        return new NiftiHeader
        {
            Version = 2,
            IsBigEndian = be,
            IsSingleFile = single,
            Magic = single ? "n+2" : "ni2",
            Dim = dim,
            DataType = r.Int16(12),
            BitPix = r.Int16(14),
            PixDim = pixdim,
            VoxOffset = r.Int64(168),
            SclSlope = r.Double(176),
            SclInter = r.Double(184),
            QformCode = r.Int32(344),
            SformCode = r.Int32(348),
            Quatern = [r.Double(352), r.Double(360), r.Double(368)],
            QOffset = [r.Double(376), r.Double(384), r.Double(392)],
            SRow = srow,
            XyztUnits = r.Int32(500),
            IntentCode = r.Int32(504),
            Description = Encoding.ASCII.GetString(bytes.Slice(240, 80)).TrimEnd('\0'),
        };
    }

    private static string Printable(ReadOnlySpan<byte> b)
    {
        var sb = new StringBuilder("\"");
        foreach (var c in b)
        {
            sb.Append(c is >= 32 and < 127 ? ((char)c).ToString() : $"\\x{c:X2}");
        }

        return sb.Append('"').ToString();
    }

    private readonly ref struct FieldReader(ReadOnlySpan<byte> bytes, bool bigEndian)
    {
        private readonly ReadOnlySpan<byte> bytes = bytes;

        public short Int16(int o) => bigEndian ? BinaryPrimitives.ReadInt16BigEndian(bytes[o..]) : BinaryPrimitives.ReadInt16LittleEndian(bytes[o..]);

        public int Int32(int o) => bigEndian ? BinaryPrimitives.ReadInt32BigEndian(bytes[o..]) : BinaryPrimitives.ReadInt32LittleEndian(bytes[o..]);

        public long Int64(int o) => bigEndian ? BinaryPrimitives.ReadInt64BigEndian(bytes[o..]) : BinaryPrimitives.ReadInt64LittleEndian(bytes[o..]);

        public float Single(int o) => bigEndian ? BinaryPrimitives.ReadSingleBigEndian(bytes[o..]) : BinaryPrimitives.ReadSingleLittleEndian(bytes[o..]);

        public double Double(int o) => bigEndian ? BinaryPrimitives.ReadDoubleBigEndian(bytes[o..]) : BinaryPrimitives.ReadDoubleLittleEndian(bytes[o..]);
    }
}
