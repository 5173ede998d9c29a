using System.Globalization;
using System.IO.Compression;
using Hermes.Runtime;
using Hermes.Volumes;
using static TorchSharp.torch;

namespace Hermes.IO.MetaImage;

/// <summary>
/// Reads MetaImage (ITK) volumes: <c>.mha</c> (data <c>LOCAL</c>) and <c>.mhd</c> + raw/zraw file, compressed (zlib or
/// gzip) or not, either byte order. Geometry is LPS (ITK): <c>TransformMatrix</c> lists each axis' direction
/// cosines in turn, <c>Offset</c> is the first voxel's centre, <c>ElementSpacing</c> the voxel size; converted to RAS+.
/// <c>AnatomicalOrientation</c> is informational (as in ITK) and reported in the metadata.
/// </summary>
public sealed class MetaImageReader : IVolumeReader
{
    /// <inheritdoc />
    public Volume Read(string path, VolumeReadOptions? options = null)
    {
        options = VolumeReadOptions.ForReading(path, options, "MetaImage");
        var h = MetaImageHeader.Read(path);
        var ndimText = h.Get("NDims") ?? throw MetaImageThrowHelper.Missing(path, "NDims");
        if (!int.TryParse(ndimText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var ndims) || ndims is < 1 or > 4)
        {
            throw MetaImageThrowHelper.Invalid(path, "NDims", ndimText, "1 to 4");
        }

        var dimText = h.Get("DimSize") ?? throw MetaImageThrowHelper.Missing(path, "DimSize");
        var dims = MetaImageHeader.Numbers(dimText, path, "DimSize", ndims).Select(v => v >= 1 && v <= int.MaxValue && v == Math.Floor(v) ? (long)v : throw MetaImageThrowHelper.Invalid(path, "DimSize", dimText, "positive integers")).ToArray();
        var type = ParseType(h.Get("ElementType") ?? throw MetaImageThrowHelper.Missing(path, "ElementType"), path);
        var channelsText = h.Get("ElementNumberOfChannels") ?? "1";
        if (!int.TryParse(channelsText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var components) || components < 1)
        {
            throw MetaImageThrowHelper.Invalid(path, "ElementNumberOfChannels", channelsText, "a positive integer");
        }

        var spatial = Math.Min(ndims, 3);
        var spacing = MetaImageHeader.Numbers(h.Get("ElementSpacing") ?? h.Get("ElementSize"), path, "ElementSpacing", ndims);
        var origin = MetaImageHeader.Numbers(h.Get("Offset") ?? h.Get("Origin") ?? h.Get("Position"), path, "Offset", ndims);
        var matrix = MetaImageHeader.Numbers(h.Get("TransformMatrix") ?? h.Get("Rotation") ?? h.Get("Orientation"), path, "TransformMatrix", ndims * ndims);
        var lps = new double[4, 4];
        for (var a = 0; a < 3; a++)
        {
            var s = a < spatial ? (spacing.Length > 0 ? spacing[a] : 1) : 1;
            if (!(s > 0))
            {
                throw MetaImageThrowHelper.Invalid(path, "ElementSpacing", h.Get("ElementSpacing") ?? "", "positive spacings");
            }

            for (var r = 0; r < 3; r++)
            {
                var cosine = a < spatial && r < spatial && matrix.Length > 0 ? matrix[(a * ndims) + r] : (a == r ? 1 : 0);
                lps[r, a] = cosine * s;
            }

            lps[a, 3] = a < spatial && origin.Length > 0 ? origin[a] : 0;
        }

        lps[3, 3] = 1;
        var size = new[] { (int)dims[0], spatial > 1 ? (int)dims[1] : 1, spatial > 2 ? (int)dims[2] : 1 };
        VolumeGeometry geometry;
        try
        {
            geometry = VolumeGeometry.FromLps(size, lps);
        }
        catch (ArgumentException e)
        {
            throw new VolumeFormatException(path, "TransformMatrix", "a singular matrix", "independent axis directions", e);
        }

        var outer = ndims == 4 ? dims[3] : 1;
        var voxels = VoxelDecoder.Product([size[0], size[1], size[2], outer, components], path, "DimSize");
        var bigEndian = (h.Get("BinaryDataByteOrderMSB") ?? h.Get("ElementByteOrderMSB") ?? "False").Equals("True", StringComparison.OrdinalIgnoreCase);
        var compressed = (h.Get("CompressedData") ?? "False").Equals("True", StringComparison.OrdinalIgnoreCase);
        if ((h.Get("BinaryData") ?? "True").Equals("False", StringComparison.OrdinalIgnoreCase))
        {
            throw MetaImageThrowHelper.Unsupported(path, "BinaryData", "False (ASCII data)");
        }

        var dataFile = h.Get("ElementDataFile")!;
        string dataPath;
        long offset;
        if (dataFile.Equals("LOCAL", StringComparison.OrdinalIgnoreCase))
        {
            dataPath = path;
            offset = h.DataOffset;
        }
        else
        {
            if (dataFile.StartsWith("LIST", StringComparison.OrdinalIgnoreCase) || dataFile.Contains('%', StringComparison.Ordinal))
            {
                throw MetaImageThrowHelper.Unsupported(path, "ElementDataFile", dataFile);
            }

            dataPath = DetachedDataFile.Resolve(path, "ElementDataFile", dataFile, options);

            offset = 0;
        }

        var length = new FileInfo(dataPath).Length;
        var headerSizeText = h.Get("HeaderSize");
        if (headerSizeText is not null)
        {
            if (!long.TryParse(headerSizeText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var headerSize) || headerSize < -1)
            {
                throw MetaImageThrowHelper.Invalid(path, "HeaderSize", headerSizeText, "a non-negative integer or -1");
            }

            offset = headerSize == -1 ? length - (voxels * type.SizeInBytes()) : offset + headerSize;
        }

        if (offset < 0 || offset > length)
        {
            throw MetaImageThrowHelper.Invalid(path, "HeaderSize", offset.ToString(CultureInfo.InvariantCulture), $"an offset within the {length}-byte data file");
        }

        VoxelDecoder.CheckBudget(path, "DimSize", voxels, type.SizeInBytes(), length - offset, compressed, options.MaxVoxels);
        HermesRuntime.EnsureInitialized();
        long[] shape = components > 1 ? [outer, size[2], size[1], size[0], components] : [outer, size[2], size[1], size[0]];
        Tensor data;
        using (var file = new FileStream(dataPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan))
        {
            file.Position = offset;
            if (compressed)
            {
                Span<byte> magic = stackalloc byte[2];
                var n = file.Read(magic);
                file.Position = offset;
                using Stream z = n == 2 && magic[0] == 0x1F && magic[1] == 0x8B
                    ? new GZipStream(file, CompressionMode.Decompress, leaveOpen: true)
                    : new ZLibStream(file, CompressionMode.Decompress, leaveOpen: true);
                data = VoxelDecoder.Read(z, type, bigEndian, shape, dataPath);
            }
            else
            {
                data = VoxelDecoder.Read(file, type, bigEndian, shape, dataPath);
            }
        }

        if (components > 1)
        {
            using var interleaved = data;
            using var moved = interleaved.permute(0, 4, 1, 2, 3);
            data = moved.reshape(outer * components, size[2], size[1], size[0]).contiguous();
        }

        var metadata = new VolumeMetadata
        {
            Format = "MetaImage",
            DiskType = type,
            Path = Path.GetFullPath(path),
            Properties = new Dictionary<string, string>
            {
                ["AnatomicalOrientation"] = h.Get("AnatomicalOrientation") ?? "(none)",
                ["CompressedData"] = compressed ? "True" : "False",
                ["byte_order"] = bigEndian ? "big-endian" : "little-endian",
            },
        };
        return new Volume(data, geometry, metadata);
    }

    /// <summary>The voxel type of a MetaIO <c>ElementType</c>.</summary>
    /// <param name="text">E.g. <c>MET_SHORT</c>.</param>
    /// <param name="file">The file, for errors.</param>
    /// <returns>The voxel type.</returns>
    internal static VoxelType ParseType(string text, string file) => text.Trim().ToUpperInvariant() switch
    {
        "MET_UCHAR" => VoxelType.UInt8,
        "MET_CHAR" => VoxelType.Int8,
        "MET_SHORT" => VoxelType.Int16,
        "MET_USHORT" => VoxelType.UInt16,
        "MET_INT" or "MET_LONG" => VoxelType.Int32,
        "MET_UINT" or "MET_ULONG" => VoxelType.UInt32,
        "MET_LONG_LONG" => VoxelType.Int64,
        "MET_ULONG_LONG" => VoxelType.UInt64,
        "MET_FLOAT" => VoxelType.Float32,
        "MET_DOUBLE" => VoxelType.Float64,
        _ => throw MetaImageThrowHelper.Invalid(file, "ElementType", text, "MET_UCHAR, MET_CHAR, MET_SHORT, MET_USHORT, MET_INT, MET_UINT, MET_LONG_LONG, MET_FLOAT or MET_DOUBLE"),
    };

    /// <summary>The MetaIO name of a voxel type.</summary>
    internal static string TypeName(VoxelType t) => t switch
    {
        VoxelType.UInt8 => "MET_UCHAR",
        VoxelType.Int8 => "MET_CHAR",
        VoxelType.Int16 => "MET_SHORT",
        VoxelType.UInt16 => "MET_USHORT",
        VoxelType.Int32 => "MET_INT",
        VoxelType.UInt32 => "MET_UINT",
        VoxelType.Int64 => "MET_LONG_LONG",
        VoxelType.UInt64 => "MET_ULONG_LONG",
        VoxelType.Float32 => "MET_FLOAT",
        _ => "MET_DOUBLE",
    };
}
