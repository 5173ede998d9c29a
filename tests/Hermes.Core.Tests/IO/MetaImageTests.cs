using System.Buffers.Binary;
using System.IO.Compression;
using Hermes.IO;
using Hermes.Volumes;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Core.Tests.IO;

/// <summary>MetaImage reading (hand-made ITK-style headers) and writing (.mha, .mhd, compressed or not).</summary>
public sealed class MetaImageTests
{
    [SkippableTheory]
    [InlineData("x.mha", CompressionLevel.Fastest)]
    [InlineData("x.mha", CompressionLevel.NoCompression)]
    [InlineData("x.mhd", CompressionLevel.Fastest)]
    [InlineData("x.mhd", CompressionLevel.NoCompression)]
    public void WriteThenReadIsExact(string name, CompressionLevel compression)
    {
        using var folder = new TemporaryFolder();
        foreach (var source in new[] { SharedData.Path("isles22_stroke", "imagesTr", "sub-strokecase0009_dwi.nii.gz"), SharedData.Path("nifti_edge_cases", "nibabel", "example4d.nii.gz"), SharedData.Path("spinal_cord", "labelsTr", "sct_errsm30_t2s_sc-auto.nii.gz") })
        {
            using var original = VolumeIO.Read(source);
            var target = folder.File(name);
            VolumeIO.Write(original, target, new VolumeWriteOptions { Compression = compression });
            using var again = VolumeIO.Read(target);
            VolumeAssert.VoxelsEqual(original.Data, again.Data, source);
            VolumeAssert.AffineEqual(original.Geometry.Affine, again.Geometry.Affine, 1e-12, source);
        }
    }

    [Fact]
    public void TransformMatrixListsEachAxisDirectionInLps()
    {
        using var folder = new TemporaryFolder();

        // Axis i runs along LPS +y (posterior), j along LPS +x (left), k along +z.
        File.WriteAllText(folder.File("p.mhd"),
            "ObjectType = Image\nNDims = 3\nBinaryData = True\nBinaryDataByteOrderMSB = True\nCompressedData = False\n" +
            "TransformMatrix = 0 1 0 1 0 0 0 0 1\nOffset = 5 6 7\nCenterOfRotation = 0 0 0\nAnatomicalOrientation = PRI\n" +
            "ElementSpacing = 2 3 4\nDimSize = 2 3 4\nElementNumberOfChannels = 2\nElementType = MET_USHORT\nElementDataFile = p.raw\n");
        var raw = new byte[2 * 3 * 4 * 2 * 2];
        for (var n = 0; n < 48; n++)
        {
            BinaryPrimitives.WriteUInt16BigEndian(raw.AsSpan(2 * n), (ushort)(60000 + n));
        }

        File.WriteAllBytes(folder.File("p.raw"), raw);
        using var v = VolumeIO.Read(folder.File("p.mhd"));
        VolumeAssert.AffineEqual([[0, -3, 0, -5], [-2, 0, 0, -6], [0, 0, 4, 7], [0, 0, 0, 1]], v.Geometry.Affine, 0);
        Assert.Equal("PLS", v.Geometry.OrientationCode);
        Assert.Equal(2, v.Channels);
        Assert.Equal(VoxelType.UInt16, v.Metadata.DiskType);

        // Interleaved channels: file index n = c + 2·(i + 2·(j + 3·k)).
        Assert.Equal(60000 + 1 + (2 * (1 + (2 * (2 + (3 * 3))))), v[1, 2, 3, 1]);
    }

    [Fact]
    public void ZlibCompressedLocalDataReads()
    {
        using var folder = new TemporaryFolder();
        var path = folder.File("z.mha");
        using (var file = File.Create(path))
        {
            file.Write("ObjectType = Image\nNDims = 3\nBinaryData = True\nCompressedData = True\nElementSpacing = 1 1 1\nDimSize = 4 4 4\nElementType = MET_FLOAT\nElementDataFile = LOCAL\n"u8);
            using var z = new ZLibStream(file, CompressionLevel.Optimal);
            for (var n = 0; n < 64; n++)
            {
                var b = new byte[4];
                BinaryPrimitives.WriteSingleLittleEndian(b, n * 0.25f);
                z.Write(b);
            }
        }

        using var v = VolumeIO.Read(path);
        Assert.Equal(ScalarType.Float32, v.Data.dtype);
        Assert.Equal((1 + (4 * (2 + (4 * 3)))) * 0.25, v[1, 2, 3]);
        VolumeAssert.AffineEqual([[-1, 0, 0, 0], [0, -1, 0, 0], [0, 0, 1, 0], [0, 0, 0, 1]], v.Geometry.Affine, 0);
    }

    [Fact]
    public void BadHeadersFailNamingTheTag()
    {
        using var folder = new TemporaryFolder();
        var cases = new (string Header, string Field)[]
        {
            ("ObjectType = Image\nNDims = 3\nElementType = MET_SHORT\nElementDataFile = LOCAL\n", "DimSize"),
            ("ObjectType = Image\nNDims = 3\nDimSize = 2 2 -2\nElementType = MET_SHORT\nElementDataFile = LOCAL\n", "DimSize"),
            ("ObjectType = Image\nNDims = 3\nDimSize = 2 2 2\nElementType = MET_COMPLEX\nElementDataFile = LOCAL\n", "ElementType"),
            ("ObjectType = Image\nNDims = 3\nDimSize = 2 2 2\nElementType = MET_SHORT\nElementDataFile = LOCAL\nxx", "DimSize"),
            ("ObjectType = Image\nNDims = 3\nDimSize = 2000 2000 2000\nElementType = MET_SHORT\nElementDataFile = LOCAL\nxx", "DimSize"),
            ("ObjectType = Image\nNDims = 3\nDimSize = 2 2 2\nElementSpacing = 1 0 1\nElementType = MET_SHORT\nElementDataFile = LOCAL\n", "ElementSpacing"),
            ("ObjectType = Image\nNDims = 3\nDimSize = 2 2 2\n", "ElementDataFile"),
        };
        foreach (var (header, field) in cases)
        {
            var path = folder.File("bad.mha");
            File.WriteAllText(path, header);
            var e = Assert.ThrowsAny<VolumeFormatException>(() => VolumeIO.Read(path));
            Assert.Equal(field, e.Field);
        }
    }
}
