using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Hermes.Volumes;
using Hermes.Runtime;
using static TorchSharp.torch;

namespace Hermes.IO.Nifti;

/// <summary>
/// Writes NIfTI-1 single files (<c>.nii</c>, or gzip-compressed <c>.nii.gz</c>), little-endian, with both the sform
/// (the exact affine, float32) and the qform (closest rotation, shears dropped) set to
/// <see cref="VolumeWriteOptions.NiftiXformCode"/>. Voxels are written unscaled (<c>scl_slope = 1</c>); label maps
/// (<see cref="VolumeWriteOptions.IsLabel"/>) are stored as uint8 or int16 when their values fit.
/// </summary>
public sealed class NiftiWriter : IVolumeWriter
{
    /// <inheritdoc />
    public void Write(Volume volume, string path, VolumeWriteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(volume);
        ArgumentNullException.ThrowIfNull(path);
        options ??= new VolumeWriteOptions();
        var compressed = path.EndsWith(".gz", StringComparison.OrdinalIgnoreCase);
        var type = VoxelTypeSelection.Choose(volume, options);
        using var scope = NewDisposeScope();
        var data = VoxelTypeSelection.ToDiskLayout(volume.Data, type);
        var header = Header(volume.Geometry, volume.Channels, type, options.NiftiXformCode);
        AtomicFile.Write(path, file =>
        {
            using var output = compressed ? new GZipStream(file, options.Compression, leaveOpen: true) : null;
            var target = output ?? file;
            target.Write(header);
            TensorBytes.ForEachChunk(data, span => target.Write(span));
        });
    }

    /// <summary>Builds the 352-byte NIfTI-1 header (348 + an empty extension flag).</summary>
    internal static byte[] Header(VolumeGeometry geometry, int channels, VoxelType type, short xformCode)
    {
        var b = new byte[352];
        var s = b.AsSpan();
        BinaryPrimitives.WriteInt32LittleEndian(s, 348);
        var ndim = channels > 1 ? 4 : 3;
        short[] dims = [(short)ndim, Dim(geometry.Shape[0]), Dim(geometry.Shape[1]), Dim(geometry.Shape[2]), Dim(channels), 1, 1, 1];
        for (var i = 0; i < 8; i++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(s[(40 + (2 * i))..], dims[i]);
        }

        BinaryPrimitives.WriteInt16LittleEndian(s[70..], NiftiDataType.Code(type));
        BinaryPrimitives.WriteInt16LittleEndian(s[72..], (short)(8 * type.SizeInBytes()));
        var affine = geometry.Affine;
        var (qb, qc, qd, qfac, zooms) = NiftiAffine.ToQuaternion(affine);
        float[] pixdim = [(float)qfac, (float)zooms[0], (float)zooms[1], (float)zooms[2], 1, 1, 1, 1];
        for (var i = 0; i < 8; i++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(s[(76 + (4 * i))..], pixdim[i]);
        }

        BinaryPrimitives.WriteSingleLittleEndian(s[108..], 352f);
        BinaryPrimitives.WriteSingleLittleEndian(s[112..], 1f);
        BinaryPrimitives.WriteSingleLittleEndian(s[116..], 0f);
        b[123] = 2 | 8; // mm, seconds
        Encoding.ASCII.GetBytes("Hermes.NET").CopyTo(s[148..]);
        BinaryPrimitives.WriteInt16LittleEndian(s[252..], xformCode);
        BinaryPrimitives.WriteInt16LittleEndian(s[254..], xformCode);
        BinaryPrimitives.WriteSingleLittleEndian(s[256..], (float)qb);
        BinaryPrimitives.WriteSingleLittleEndian(s[260..], (float)qc);
        BinaryPrimitives.WriteSingleLittleEndian(s[264..], (float)qd);
        for (var r = 0; r < 3; r++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(s[(268 + (4 * r))..], (float)affine[r, 3]);
            for (var c = 0; c < 4; c++)
            {
                BinaryPrimitives.WriteSingleLittleEndian(s[(280 + (16 * r) + (4 * c))..], (float)affine[r, c]);
            }
        }

        "n+1\0"u8.CopyTo(s[344..]);
        return b;
    }

    private static short Dim(int n) => n <= short.MaxValue
        ? (short)n
        : throw new NotSupportedException($"NIfTI-1 holds at most {short.MaxValue} voxels per axis; got {n}.");
}
