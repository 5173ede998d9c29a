using System.Globalization;
using System.IO.Compression;
using Hermes.Runtime;
using Hermes.Volumes;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.IO.Nrrd;

/// <summary>
/// Reads NRRD volumes: <c>.nrrd</c> (attached data) and <c>.nhdr</c> (detached <c>data file</c>), encodings raw, gzip
/// and ascii, either endianness. Geometry from <c>space directions</c> / <c>space origin</c> in the declared
/// <c>space</c> (RAS, LAS, LPS, … converted to RAS+), or from <c>spacings</c> (ITK's convention: LPS, identity
/// directions) when there are no directions. One non-spatial axis (a <c>none</c> direction), first or last, becomes
/// the channels.
/// </summary>
public sealed class NrrdReader : IVolumeReader
{
    /// <inheritdoc />
    public Volume Read(string path, VolumeReadOptions? options = null)
    {
        options = VolumeReadOptions.ForReading(path, options, "NRRD");
        var header = NrrdHeader.Read(path);
        var typeText = header.Get("type") ?? throw NrrdThrowHelper.Missing(path, "type");
        var type = ParseType(typeText, path);
        var dimensionText = header.Get("dimension") ?? throw NrrdThrowHelper.Missing(path, "dimension");
        if (!int.TryParse(dimensionText, NumberStyles.Integer, CultureInfo.InvariantCulture, out var dimension) || dimension is < 1 or > 16)
        {
            throw NrrdThrowHelper.Invalid(path, "dimension", dimensionText, "1 to 16");
        }

        var sizesText = header.Get("sizes") ?? throw NrrdThrowHelper.Missing(path, "sizes");
        var sizes = sizesText.Split(' ', StringSplitOptions.RemoveEmptyEntries)
            .Select(s => long.TryParse(s, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v > 0 ? v : throw NrrdThrowHelper.Invalid(path, "sizes", sizesText, "positive integers"))
            .ToArray();
        if (sizes.Length != dimension)
        {
            throw NrrdThrowHelper.Invalid(path, "sizes", sizesText, $"{dimension} sizes (dimension)");
        }

        var voxels = VoxelDecoder.Product(sizes, path, "sizes");
        var (lpsColumns, lpsOrigin, spatialAxes) = Geometry(header, dimension, path);
        if (spatialAxes.Count is < 1 or > 3)
        {
            throw NrrdThrowHelper.Invalid(path, "space directions", $"{spatialAxes.Count} spatial axes", "1 to 3 spatial axes");
        }

        var nonSpatial = Enumerable.Range(0, dimension).Except(spatialAxes).ToArray();
        var channelFirst = nonSpatial.Length == 1 && nonSpatial[0] == 0;
        if (nonSpatial.Length > 1 || (nonSpatial.Length == 1 && nonSpatial[0] != 0 && nonSpatial[0] != dimension - 1))
        {
            throw NrrdThrowHelper.Unsupported(path, "axis layout", $"non-spatial axes {string.Join(",", nonSpatial)} (only one, first or last, is supported)");
        }

        if (spatialAxes.Zip(spatialAxes.Skip(1)).Any(p => p.Second != p.First + 1))
        {
            throw NrrdThrowHelper.Unsupported(path, "axis layout", "non-contiguous spatial axes");
        }

        var spatialSizes = spatialAxes.Select(a => sizes[a]).Concat(Enumerable.Repeat(1L, 3 - spatialAxes.Count)).ToArray();
        if (spatialSizes.Any(s => s > int.MaxValue))
        {
            throw NrrdThrowHelper.Invalid(path, "sizes", sizesText, $"at most {int.MaxValue} per axis");
        }

        var channels = nonSpatial.Length == 1 ? sizes[nonSpatial[0]] : 1;
        var affine = new double[4, 4];
        for (var c = 0; c < 3; c++)
        {
            for (var r = 0; r < 3; r++)
            {
                affine[r, c] = lpsColumns[c][r];
            }

            affine[c, 3] = lpsOrigin[c];
        }

        affine[3, 3] = 1;
        VolumeGeometry geometry;
        try
        {
            geometry = VolumeGeometry.FromLps([(int)spatialSizes[0], (int)spatialSizes[1], (int)spatialSizes[2]], affine);
        }
        catch (ArgumentException e)
        {
            throw new VolumeFormatException(path, "space directions", "a singular or non-finite matrix", "independent non-zero axis directions", e);
        }

        var encoding = (header.Get("encoding") ?? throw NrrdThrowHelper.Missing(path, "encoding")).ToLowerInvariant();
        var bigEndian = (header.Get("endian") ?? "little").Equals("big", StringComparison.OrdinalIgnoreCase);
        var dataFile = header.Get("data file") ?? header.Get("datafile");
        string dataPath;
        long offset;
        if (dataFile is null)
        {
            dataPath = path;
            offset = header.DataOffset;
        }
        else
        {
            if (dataFile.StartsWith("LIST", StringComparison.Ordinal) || dataFile.Contains('%', StringComparison.Ordinal) || dataFile.Contains(' ', StringComparison.Ordinal))
            {
                throw NrrdThrowHelper.Unsupported(path, "data file", dataFile);
            }

            dataPath = DetachedDataFile.Resolve(path, "data file", dataFile, options);

            offset = 0;
        }

        var lineSkip = ParseSkip(header.Get("line skip") ?? header.Get("lineskip"), path, "line skip");
        var byteSkip = ParseSkip(header.Get("byte skip") ?? header.Get("byteskip"), path, "byte skip");
        var tensorShape = channelFirst
            ? new[] { spatialSizes[2], spatialSizes[1], spatialSizes[0], channels }
            : [channels, spatialSizes[2], spatialSizes[1], spatialSizes[0]];
        var fileLength = new FileInfo(dataPath).Length;
        var compressed = encoding is "gzip" or "gz";
        if (encoding is "raw" or "gzip" or "gz")
        {
            var available = fileLength - offset - (byteSkip > 0 ? byteSkip : 0);
            VoxelDecoder.CheckBudget(path, "sizes", voxels, type.SizeInBytes(), available, compressed, options.MaxVoxels);
        }
        else if (encoding is "ascii" or "text" or "txt")
        {
            VoxelDecoder.CheckBudget(path, "sizes", voxels, 1, (fileLength - offset + 1) / 2 + 1, false, options.MaxVoxels);
        }
        else
        {
            throw NrrdThrowHelper.Unsupported(path, "encoding", encoding);
        }

        HermesRuntime.EnsureInitialized();
        Tensor data;
        using (var file = new FileStream(dataPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 20, FileOptions.SequentialScan))
        {
            file.Position = offset;
            SkipLines(file, lineSkip, dataPath);
            if (encoding is "ascii" or "text" or "txt")
            {
                data = ReadAscii(file, type, tensorShape, dataPath);
            }
            else if (byteSkip == -1)
            {
                if (compressed)
                {
                    throw NrrdThrowHelper.Invalid(path, "byte skip", "-1", "-1 only with raw encoding");
                }

                file.Position = fileLength - (voxels * type.SizeInBytes());
                data = VoxelDecoder.Read(file, type, bigEndian, tensorShape, dataPath);
            }
            else
            {
                using Stream source = compressed ? new GZipStream(file, CompressionMode.Decompress, leaveOpen: true) : new NonClosing(file);
                VoxelDecoder.Skip(source, byteSkip, dataPath, "byte skip");
                data = VoxelDecoder.Read(source, type, bigEndian, tensorShape, dataPath);
            }
        }

        if (channelFirst)
        {
            using var interleaved = data;
            data = interleaved.permute(3, 0, 1, 2).contiguous();
        }

        var metadata = new VolumeMetadata
        {
            Format = "NRRD",
            DiskType = type,
            Path = Path.GetFullPath(path),
            Properties = new Dictionary<string, string>
            {
                ["space"] = header.Get("space") ?? "(none)",
                ["encoding"] = encoding,
                ["byte_order"] = bigEndian ? "big-endian" : "little-endian",
            },
        };
        return new Volume(data, geometry, metadata);
    }

    /// <summary>The NRRD voxel type of a <c>type:</c> value.</summary>
    /// <param name="text">The field value.</param>
    /// <param name="file">The file, for errors.</param>
    /// <returns>The voxel type.</returns>
    internal static VoxelType ParseType(string text, string file) => text.Trim().ToLowerInvariant() switch
    {
        "signed char" or "int8" or "int8_t" => VoxelType.Int8,
        "uchar" or "unsigned char" or "uint8" or "uint8_t" => VoxelType.UInt8,
        "short" or "short int" or "signed short" or "signed short int" or "int16" or "int16_t" => VoxelType.Int16,
        "ushort" or "unsigned short" or "unsigned short int" or "uint16" or "uint16_t" => VoxelType.UInt16,
        "int" or "signed int" or "int32" or "int32_t" => VoxelType.Int32,
        "uint" or "unsigned int" or "uint32" or "uint32_t" => VoxelType.UInt32,
        "longlong" or "long long" or "long long int" or "signed long long" or "signed long long int" or "int64" or "int64_t" => VoxelType.Int64,
        "ulonglong" or "unsigned long long" or "unsigned long long int" or "uint64" or "uint64_t" => VoxelType.UInt64,
        "float" => VoxelType.Float32,
        "double" => VoxelType.Float64,
        "block" => throw NrrdThrowHelper.Unsupported(file, "type", text),
        _ => throw NrrdThrowHelper.Invalid(file, "type", NrrdHeader.Shorten(text), "a NRRD scalar type (uchar, short, int, float, double, …)"),
    };

    /// <summary>The LPS → space sign flips of a NRRD <c>space</c> name; <see langword="null"/> when not anatomical.</summary>
    internal static double[]? SpaceToLps(string space) => space.Trim().ToLowerInvariant() switch
    {
        "left-posterior-superior" or "lps" or "left-posterior-superior-time" or "lpst" => [1, 1, 1],
        "right-anterior-superior" or "ras" or "right-anterior-superior-time" or "rast" => [-1, -1, 1],
        "left-anterior-superior" or "las" or "left-anterior-superior-time" or "last" => [1, -1, 1],
        "right-posterior-superior" or "rps" => [-1, 1, 1],
        "left-posterior-inferior" or "lpi" => [1, 1, -1],
        "right-anterior-inferior" or "rai" => [-1, -1, -1],
        "left-anterior-inferior" or "lai" => [1, -1, -1],
        "right-posterior-inferior" or "rpi" => [-1, 1, -1],
        _ => null,
    };

    private static (double[][] Columns, double[] Origin, List<int> SpatialAxes) Geometry(NrrdHeader header, int dimension, string path)
    {
        var space = header.Get("space");
        double[] flip = [1, 1, 1];
        if (space is not null)
        {
            flip = SpaceToLps(space) ?? throw NrrdThrowHelper.Unsupported(path, "space", space);
        }

        var columns = new double[3][];
        var spatial = new List<int>();
        var directions = header.Get("space directions");
        if (directions is not null)
        {
            var tokens = NrrdHeader.VectorTokens(directions);
            if (tokens.Count != dimension)
            {
                throw NrrdThrowHelper.Invalid(path, "space directions", NrrdHeader.Shorten(directions), $"{dimension} vectors or none");
            }

            for (var a = 0; a < dimension; a++)
            {
                var v = NrrdHeader.Vector(tokens[a], path, "space directions");
                if (v is null)
                {
                    continue;
                }

                if (v.Length != 3)
                {
                    throw NrrdThrowHelper.Invalid(path, "space directions", tokens[a], "3-component vectors");
                }

                if (spatial.Count == 3)
                {
                    throw NrrdThrowHelper.Invalid(path, "space directions", NrrdHeader.Shorten(directions), "at most 3 spatial axes");
                }

                columns[spatial.Count] = [v[0] * flip[0], v[1] * flip[1], v[2] * flip[2]];
                spatial.Add(a);
            }
        }
        else
        {
            var spacings = header.Get("spacings") is { } sp ? NrrdHeader.Numbers(sp, path, "spacings") : Enumerable.Repeat(1.0, dimension).ToArray();
            if (spacings.Length != dimension)
            {
                throw NrrdThrowHelper.Invalid(path, "spacings", string.Join(' ', spacings), $"{dimension} values");
            }

            for (var a = 0; a < dimension; a++)
            {
                if (double.IsNaN(spacings[a]) || spatial.Count == 3 || (dimension > 3 && a == 0 && header.Get("kinds") is { } k && !k.StartsWith("domain", StringComparison.OrdinalIgnoreCase) && !k.StartsWith("space", StringComparison.OrdinalIgnoreCase)))
                {
                    continue;
                }

                if (!(spacings[a] > 0) || !double.IsFinite(spacings[a]))
                {
                    throw NrrdThrowHelper.Invalid(path, "spacings", spacings[a].ToString(CultureInfo.InvariantCulture), "positive spacings");
                }

                var col = new double[3];
                col[spatial.Count] = spacings[a];
                columns[spatial.Count] = col;
                spatial.Add(a);
            }
        }

        for (var c = spatial.Count; c < 3; c++)
        {
            columns[c] = new double[3];
            columns[c][c] = 1;

            // A missing axis (2D image) gets a unit direction orthogonal to the others.
            if (spatial.Count == 2 && c == 2)
            {
                var x = columns[0];
                var y = columns[1];
                var n = new[] { (x[1] * y[2]) - (x[2] * y[1]), (x[2] * y[0]) - (x[0] * y[2]), (x[0] * y[1]) - (x[1] * y[0]) };
                var norm = Math.Sqrt((n[0] * n[0]) + (n[1] * n[1]) + (n[2] * n[2]));
                columns[c] = norm > 0 ? [n[0] / norm, n[1] / norm, n[2] / norm] : columns[c];
            }
        }

        var origin = new double[3];
        if (header.Get("space origin") is { } o)
        {
            var v = NrrdHeader.Vector(o, path, "space origin");
            if (v is null || v.Length != 3)
            {
                throw NrrdThrowHelper.Invalid(path, "space origin", o, "(x,y,z)");
            }

            origin = [v[0] * flip[0], v[1] * flip[1], v[2] * flip[2]];
        }

        return (columns, origin, spatial);
    }

    private static long ParseSkip(string? text, string path, string field)
    {
        if (text is null)
        {
            return 0;
        }

        return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v >= -1
            ? v
            : throw NrrdThrowHelper.Invalid(path, field, text, "a non-negative integer (or -1 for byte skip)");
    }

    private static void SkipLines(Stream s, long lines, string path)
    {
        for (long i = 0; i < lines; i++)
        {
            int b;
            while ((b = s.ReadByte()) != '\n')
            {
                if (b < 0)
                {
                    throw NrrdThrowHelper.Invalid(path, "line skip", lines.ToString(CultureInfo.InvariantCulture), "no more lines than the file has");
                }
            }
        }
    }

    private static Tensor ReadAscii(Stream s, VoxelType type, long[] shape, string path)
    {
        using var reader = new StreamReader(s, leaveOpen: true);
        var text = reader.ReadToEnd();
        var tokens = text.Split([' ', '\t', '\n', '\r', ','], StringSplitOptions.RemoveEmptyEntries);
        var count = shape.Aggregate(1L, (a, b) => a * b);
        if (tokens.Length < count)
        {
            throw NrrdThrowHelper.Invalid(path, "ascii data", $"{tokens.Length} values", $"{count} values");
        }

        var values = new double[count];
        for (long i = 0; i < count; i++)
        {
            if (!double.TryParse(tokens[i], NumberStyles.Float, CultureInfo.InvariantCulture, out values[i]))
            {
                throw NrrdThrowHelper.Invalid(path, "ascii data", NrrdHeader.Shorten(tokens[i]), "numbers");
            }
        }

        using var t = torch.tensor(values).reshape(shape);
        return t.to(type.MemoryType());
    }

    private sealed class NonClosing(Stream inner) : Stream
    {
        public override bool CanRead => true;

        public override bool CanSeek => inner.CanSeek;

        public override bool CanWrite => false;

        public override long Length => inner.Length;

        public override long Position { get => inner.Position; set => inner.Position = value; }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => inner.Read(buffer, offset, count);

        public override int Read(Span<byte> buffer) => inner.Read(buffer);

        public override long Seek(long offset, SeekOrigin origin) => inner.Seek(offset, origin);

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
