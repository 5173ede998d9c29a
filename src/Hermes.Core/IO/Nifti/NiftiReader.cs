using System.Globalization;
using Hermes.Runtime;
using Hermes.Volumes;
using static TorchSharp.torch;

namespace Hermes.IO.Nifti;

/// <summary>
/// Reads NIfTI-1, NIfTI-2 and Analyze 7.5 volumes: <c>.nii</c>, <c>.nii.gz</c>, <c>.hdr/.img</c> (optionally gzipped),
/// either byte order, header extensions skipped. Geometry as nibabel (<see cref="NiftiAffine"/>); intensities scaled by
/// <c>scl_slope/scl_inter</c> as nibabel's <c>get_fdata</c> (slope 0 or non-finite → no scaling; scaled data is
/// float32, or float64 for float64/int32/int64/uint32 sources). Dimensions 4–7 become channels.
/// </summary>
/// <remarks>
/// Unlike nibabel, which silently "fixes" zero or negative <c>pixdim</c>, this reader rejects them when the qform or
/// the fallback uses them (a <see cref="VolumeFormatException"/> naming <c>pixdim[n]</c>).
/// </remarks>
public sealed class NiftiReader : IVolumeReader
{
    /// <inheritdoc />
    public Volume Read(string path, VolumeReadOptions? options = null)
    {
        options = VolumeReadOptions.ForReading(path, options);
        var (headerPath, imagePath) = ResolvePair(path);
        NiftiHeader header;
        bool headerCompressed;
        var headerStream = CompressedFile.OpenRead(headerPath, out headerCompressed);
        try
        {
            header = ReadHeader(headerStream, headerPath);
            var geometry = Validate(header, headerPath, out var type, out var tensorShape, out var affineSource);
            Stream dataStream;
            string dataPath;
            bool dataCompressed;
            long consumed = header.SizeOfHeader;
            if (header.IsSingleFile)
            {
                dataStream = headerStream;
                dataPath = headerPath;
                dataCompressed = headerCompressed;
            }
            else
            {
                if (imagePath is null)
                {
                    throw new FileNotFoundException($"{headerPath}: the header says the voxel data is in a separate .img file (magic \"{(header.Magic.Length == 0 ? "Analyze 7.5" : header.Magic)}\"), but no .img or .img.gz exists beside it.", Path.ChangeExtension(headerPath, ".img"));
                }

                dataStream = CompressedFile.OpenRead(imagePath, out dataCompressed);
                dataPath = imagePath;
                consumed = 0;
            }

            try
            {
                var offset = (long)header.VoxOffset;
                if (header.IsSingleFile && offset == 0)
                {
                    offset = header.SizeOfHeader + 4;
                }

                var minimum = header.IsSingleFile ? header.SizeOfHeader + 4 : 0;
                if (offset < minimum || header.VoxOffset > long.MaxValue / 2 || !double.IsFinite(header.VoxOffset))
                {
                    throw NiftiThrowHelper.Invalid(headerPath, "vox_offset", header.VoxOffset, $"≥ {minimum} (header + extension flag)");
                }

                var voxels = VoxelDecoder.Product(tensorShape, headerPath, "dim");
                var fileLength = new FileInfo(dataPath).Length;
                VoxelDecoder.CheckBudget(headerPath, "dim", voxels, type.SizeInBytes(), dataCompressed ? fileLength : fileLength - offset, dataCompressed, options.MaxVoxels);
                VoxelDecoder.Skip(dataStream, offset - consumed, dataPath, "vox_offset");
                HermesRuntime.EnsureInitialized();
                var data = VoxelDecoder.Read(dataStream, type, header.IsBigEndian, tensorShape, dataPath);
                var (slope, inter) = Scaling(header, headerPath, options);
                if (slope != 1 || inter != 0)
                {
                    var scaledType = data.dtype is ScalarType.Float64 or ScalarType.Int32 or ScalarType.Int64 ? ScalarType.Float64 : ScalarType.Float32;
                    using var raw = data;
                    using var asDouble = raw.to(ScalarType.Float64);
                    using var scaled = asDouble.mul(slope).add_(inter);
                    data = scaled.to(scaledType);
                }

                var metadata = new VolumeMetadata
                {
                    Format = header.Version switch { 0 => "Analyze", 1 => "NIfTI-1", _ => "NIfTI-2" },
                    DiskType = type,
                    Path = Path.GetFullPath(path),
                    ScaleSlope = slope,
                    ScaleIntercept = inter,
                    Properties = new Dictionary<string, string>
                    {
                        ["sform_code"] = header.SformCode.ToString(CultureInfo.InvariantCulture),
                        ["qform_code"] = header.QformCode.ToString(CultureInfo.InvariantCulture),
                        ["affine_source"] = affineSource.ToString().ToLowerInvariant(),
                        ["byte_order"] = header.IsBigEndian ? "big-endian" : "little-endian",
                        ["datatype_code"] = header.DataType.ToString(CultureInfo.InvariantCulture),
                        ["dims"] = string.Join('×', header.Dim.Skip(1).Take((int)header.Dim[0])),
                        ["description"] = header.Description,
                    },
                };
                return new Volume(data, geometry, metadata);
            }
            finally
            {
                if (!ReferenceEquals(dataStream, headerStream))
                {
                    dataStream.Dispose();
                }
            }
        }
        finally
        {
            headerStream.Dispose();
        }
    }

    /// <summary>Reads and parses only the header of a NIfTI file (no voxel data).</summary>
    /// <param name="path">A <c>.nii</c>, <c>.nii.gz</c> or <c>.hdr</c> file.</param>
    /// <returns>The header.</returns>
    public static NiftiHeader ReadHeader(string path)
    {
        var (headerPath, _) = ResolvePair(path);
        using var s = CompressedFile.OpenRead(headerPath, out _);
        return ReadHeader(s, headerPath);
    }

    private static NiftiHeader ReadHeader(Stream stream, string file)
    {
        var buffer = new byte[NiftiHeader.Nifti2Size];
        var got = VoxelDecoder.ReadFully(stream, buffer.AsSpan(0, NiftiHeader.Nifti1Size), file);
        if (got < 4)
        {
            throw NiftiThrowHelper.Truncated(file, got, NiftiHeader.Nifti1Size);
        }

        var size = NiftiHeader.DetectSize(buffer)?.Size ?? NiftiHeader.Nifti1Size;
        if (size == NiftiHeader.Nifti2Size && got == NiftiHeader.Nifti1Size)
        {
            got += VoxelDecoder.ReadFully(stream, buffer.AsSpan(NiftiHeader.Nifti1Size, NiftiHeader.Nifti2Size - NiftiHeader.Nifti1Size), file);
        }

        return NiftiHeader.Parse(buffer.AsSpan(0, got), file);
    }

    private static VolumeGeometry Validate(NiftiHeader h, string file, out VoxelType type, out long[] tensorShape, out NiftiAffine.Source source)
    {
        var ndim = h.Dim[0];
        if (ndim is < 1 or > 7)
        {
            throw NiftiThrowHelper.Invalid(file, "dim[0]", ndim, "1 to 7 dimensions");
        }

        for (var i = 1; i <= ndim; i++)
        {
            if (h.Dim[i] <= 0)
            {
                throw NiftiThrowHelper.Invalid(file, $"dim[{i}]", h.Dim[i], "a positive size");
            }

            if (i <= 3 && h.Dim[i] > int.MaxValue)
            {
                throw NiftiThrowHelper.Invalid(file, $"dim[{i}]", h.Dim[i], $"at most {int.MaxValue}");
            }
        }

        if (NiftiDataType.FromCode(h.DataType) is not { } t)
        {
            if (NiftiDataType.IsStandard(h.DataType))
            {
                throw NiftiThrowHelper.UnsupportedDataType(file, h.DataType);
            }

            throw NiftiThrowHelper.Invalid(file, "datatype", h.DataType, "a NIfTI datatype code (2, 4, 8, 16, 64, 256, 512, 768, 1024, 1280)");
        }

        type = t;
        long channels = 1;
        for (var i = 4; i <= ndim; i++)
        {
            channels = VoxelDecoder.Product([channels, h.Dim[i]], file, $"dim[{i}]");
        }

        var si = (int)(ndim >= 1 ? h.Dim[1] : 1);
        var sj = (int)(ndim >= 2 ? h.Dim[2] : 1);
        var sk = (int)(ndim >= 3 ? h.Dim[3] : 1);
        tensorShape = [channels, sk, sj, si];
        var affine = NiftiAffine.Best(h, file, out source);
        try
        {
            return new VolumeGeometry(si, sj, sk, affine);
        }
        catch (ArgumentException e)
        {
            var field = source switch { NiftiAffine.Source.Sform => "srow_x/srow_y/srow_z", NiftiAffine.Source.Qform => "quatern/qoffset/pixdim", _ => "pixdim" };
            throw new VolumeFormatException(file, field, "a singular or non-finite affine", "an invertible voxel-to-world matrix (non-zero spacing)", e);
        }
    }

    private static (double Slope, double Inter) Scaling(NiftiHeader h, string file, VolumeReadOptions options)
    {
        if (!options.ApplyScaling || h.SclSlope == 0 || !double.IsFinite(h.SclSlope))
        {
            return (1, 0);
        }

        if (!double.IsFinite(h.SclInter))
        {
            throw NiftiThrowHelper.Invalid(file, "scl_inter", h.SclInter, "a finite intercept when scl_slope is set");
        }

        return (h.SclSlope, h.SclInter);
    }

    /// <summary>Finds the header and image files of a NIfTI path: <c>x.nii[.gz]</c> → (itself, null); <c>x.hdr[.gz]</c> or <c>x.img[.gz]</c> → (header, image or null).</summary>
    internal static (string Header, string? Image) ResolvePair(string path)
    {
        var lower = path.ToLowerInvariant();
        string? stem = null;
        foreach (var ext in new[] { ".hdr.gz", ".img.gz", ".hdr", ".img" })
        {
            if (lower.EndsWith(ext, StringComparison.Ordinal))
            {
                stem = path[..^ext.Length];
                break;
            }
        }

        if (stem is null)
        {
            if (!File.Exists(path))
            {
                throw new FileNotFoundException($"NIfTI file not found: {path}", path);
            }

            return (path, null);
        }

        var header = new[] { stem + ".hdr", stem + ".hdr.gz", stem + ".HDR" }.FirstOrDefault(File.Exists)
            ?? throw new FileNotFoundException($"{path}: the header (.hdr) of this NIfTI/Analyze pair does not exist.", stem + ".hdr");
        var image = new[] { stem + ".img", stem + ".img.gz", stem + ".IMG" }.FirstOrDefault(File.Exists);
        return (header, image);
    }
}
