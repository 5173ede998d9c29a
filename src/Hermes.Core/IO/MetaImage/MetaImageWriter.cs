using System.Globalization;
using System.IO.Compression;
using System.Text;
using Hermes.Volumes;
using static TorchSharp.torch;

namespace Hermes.IO.MetaImage;

/// <summary>
/// Writes MetaImage: <c>.mha</c> (header and data in one file) or <c>.mhd</c> with a <c>.zraw</c>/<c>.raw</c> beside it;
/// zlib-compressed unless <see cref="VolumeWriteOptions.Compression"/> is <see cref="CompressionLevel.NoCompression"/>.
/// Geometry in LPS as ITK writes it; <c>AnatomicalOrientation</c> in ITK's "from" letters (identity = <c>RAI</c>).
/// </summary>
public sealed class MetaImageWriter : IVolumeWriter
{
    private const int SizeFieldWidth = 20;

    /// <inheritdoc />
    public void Write(Volume volume, string path, VolumeWriteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(volume);
        ArgumentNullException.ThrowIfNull(path);
        options ??= new VolumeWriteOptions();
        var type = VoxelTypeSelection.Choose(volume, options);
        var compress = options.Compression != CompressionLevel.NoCompression;
        var detached = path.EndsWith(".mhd", StringComparison.OrdinalIgnoreCase);
        var dataName = Path.GetFileNameWithoutExtension(path) + (compress ? ".zraw" : ".raw");
        using var scope = NewDisposeScope();
        var data = VoxelTypeSelection.ToDiskLayout(volume.Data, type);
        var dataPath = detached ? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".", dataName) : null;
        var (header, sizeOffset) = Header(volume, type, compress, detached ? dataName : "LOCAL");
        DetachedDataFile.Write(path, dataPath, dataLength => WithCompressedSize(header, sizeOffset, dataLength), file =>
        {
            if (compress)
            {
                using var output = new ZLibStream(file, options.Compression, leaveOpen: true);
                TensorBytes.ForEachChunk(data, span => output.Write(span));
            }
            else
            {
                TensorBytes.ForEachChunk(data, span => file.Write(span));
            }
        });
    }

    /// <summary>The header with <c>CompressedDataSize</c> filled in (left blank, padded, until the size is known).</summary>
    private static byte[] WithCompressedSize(byte[] header, int sizeOffset, long? compressedSize)
    {
        if (sizeOffset < 0 || compressedSize is not { } size)
        {
            return header;
        }

        var filled = (byte[])header.Clone();
        Encoding.ASCII.GetBytes(size.ToString(CultureInfo.InvariantCulture).PadRight(SizeFieldWidth)).CopyTo(filled, sizeOffset);
        return filled;
    }

    private static (byte[] Header, int SizeOffset) Header(Volume volume, VoxelType type, bool compress, string dataFile)
    {
        var g = volume.Geometry;
        var lps = g.LpsAffine;
        var spacing = g.Spacing;
        var c = volume.Channels;
        var ic = CultureInfo.InvariantCulture;
        var sb = new StringBuilder();
        sb.Append("ObjectType = Image\n");
        sb.Append(ic, $"NDims = {(c > 1 ? 4 : 3)}\n");
        sb.Append("BinaryData = True\nBinaryDataByteOrderMSB = False\n");
        sb.Append(ic, $"CompressedData = {(compress ? "True" : "False")}\n");
        var sizeOffset = -1;
        if (compress)
        {
            sb.Append("CompressedDataSize = ");
            sizeOffset = Encoding.ASCII.GetByteCount(sb.ToString());
            sb.Append(new string(' ', SizeFieldWidth)).Append('\n');
        }

        var n = c > 1 ? 4 : 3;
        sb.Append("TransformMatrix =");
        for (var a = 0; a < n; a++)
        {
            for (var r = 0; r < n; r++)
            {
                var v = a < 3 && r < 3 ? lps[r, a] / spacing[a] : (a == r ? 1 : 0);
                sb.Append(' ').Append(v.ToString("R", ic));
            }
        }

        sb.Append('\n');
        sb.Append("Offset =");
        for (var r = 0; r < 3; r++)
        {
            sb.Append(' ').Append(lps[r, 3].ToString("R", ic));
        }

        sb.Append(c > 1 ? " 0\n" : "\n");
        sb.Append("CenterOfRotation = 0 0 0").Append(c > 1 ? " 0\n" : "\n");
        sb.Append("AnatomicalOrientation = ").Append(ItkOrientation(g.OrientationCode)).Append(c > 1 ? "?\n" : "\n");
        sb.Append(ic, $"ElementSpacing = {spacing[0].ToString("R", ic)} {spacing[1].ToString("R", ic)} {spacing[2].ToString("R", ic)}").Append(c > 1 ? " 1\n" : "\n");
        sb.Append(ic, $"DimSize = {g.Shape[0]} {g.Shape[1]} {g.Shape[2]}").Append(c > 1 ? $" {c}\n" : "\n");
        sb.Append("ElementType = ").Append(MetaImageReader.TypeName(type)).Append('\n');
        sb.Append("ElementDataFile = ").Append(dataFile).Append('\n');
        return (Encoding.ASCII.GetBytes(sb.ToString()), sizeOffset);
    }

    private static string ItkOrientation(string rasCode) => new(rasCode.Select(ch => ch switch
    {
        'R' => 'L',
        'L' => 'R',
        'A' => 'P',
        'P' => 'A',
        'S' => 'I',
        _ => 'S',
    }).ToArray());
}
