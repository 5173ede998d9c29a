using System.Buffers.Binary;
using System.IO.Compression;
using System.Text;
using Hermes.IO;
using Hermes.Volumes;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Core.Tests.IO;

/// <summary>NRRD reading (real pyradiomics/MITK files, hand-made headers) and writing (.nrrd, .nhdr, raw and gzip).</summary>
public sealed class NrrdReaderTests
{
    [SkippableFact]
    public void LpsSpaceDirectionsBecomeRasAffine()
    {
        using var image = VolumeIO.Read(SharedData.Path("pyradiomics_nrrd", "imagesTr", "brain1.nrrd"));
        using var label = VolumeIO.Read(SharedData.Path("pyradiomics_nrrd", "labelsTr", "brain1.nrrd"));
        VolumeAssert.AffineEqual(
            [[-0.78124999999999989, 0, 0, 99.609374999999986], [0, 0.78124999999999989, 0, -99.609374999999986], [0, 0, 6.4999999999999982, -77.999999999999957], [0, 0, 0, 1]],
            image.Geometry.Affine, 1e-12);
        Assert.Equal("LAS", image.Geometry.OrientationCode);
        Assert.True(image.Geometry.IsSameGrid(label.Geometry, 1e-9));
        Assert.Equal(VoxelType.Int32, label.Metadata.DiskType);
        using var roi = label.Data.eq(1).sum();
        Assert.True(roi.item<long>() > 0);
    }

    [SkippableFact]
    public void MitkNrrdWithControlByteAndTrailingByteMatchesItsNifti()
    {
        using var nrrd = VolumeIO.Read(SharedData.Path("prostate_mr", "labelsTr", "autorad_prostate_two_labels.nrrd"));
        using var nifti = VolumeIO.Read(SharedData.Path("prostate_mr", "labelsTr", "autorad_prostate_two_labels.nii.gz"));
        Assert.Equal(VoxelType.UInt16, nrrd.Metadata.DiskType);
        VolumeAssert.AffineEqual(nifti.Geometry.Affine, nrrd.Geometry.Affine, 1e-6);
        VolumeAssert.VoxelsEqual(nifti.Data, nrrd.Data, "NRRD vs NIfTI voxels");
        using var two = nrrd.Data.eq(2).sum();
        Assert.True(two.item<long>() > 0);
    }

    [SkippableTheory]
    [InlineData("x.nrrd", CompressionLevel.Fastest)]
    [InlineData("x.nrrd", CompressionLevel.NoCompression)]
    [InlineData("x.nhdr", CompressionLevel.Fastest)]
    [InlineData("x.nhdr", CompressionLevel.NoCompression)]
    public void WriteThenReadIsExact(string name, CompressionLevel compression)
    {
        using var folder = new TemporaryFolder();
        foreach (var source in new[] { SharedData.Path("isles22_stroke", "imagesTr", "sub-strokecase0009_dwi.nii.gz"), SharedData.Path("nifti_edge_cases", "nibabel", "functional.nii"), SharedData.Path("spinal_cord", "imagesTr", "sct_errsm30_t2.nii.gz") })
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
    public void RasSpaceChannelFirstBigEndianRawReads()
    {
        using var folder = new TemporaryFolder();
        var path = folder.File("vec.nrrd");
        var header = "NRRD0004\ntype: short\ndimension: 4\nspace: right-anterior-superior\nsizes: 2 3 4 5\nspace directions: none (2,0,0) (0,3,0) (0,0,4)\nkinds: vector domain domain domain\nendian: big\nencoding: raw\nspace origin: (10,20,30)\n\n";
        var data = new byte[2 * 3 * 4 * 5 * 2];
        for (var n = 0; n < 2 * 3 * 4 * 5; n++)
        {
            BinaryPrimitives.WriteInt16BigEndian(data.AsSpan(2 * n), (short)n);
        }

        File.WriteAllBytes(path, [.. Encoding.ASCII.GetBytes(header), .. data]);
        using var v = VolumeIO.Read(path);
        Assert.Equal(2, v.Channels);
        Assert.Equal([3, 4, 5], v.Geometry.Shape);
        VolumeAssert.AffineEqual([[2, 0, 0, 10], [0, 3, 0, 20], [0, 0, 4, 30], [0, 0, 0, 1]], v.Geometry.Affine, 0);

        // File index n = c + 2·(i + 3·(j + 4·k)).
        Assert.Equal(1 + (2 * (2 + (3 * (1 + (4 * 3))))), v[2, 1, 3, 1]);
        Assert.Equal(2 * (1 + (3 * (3 + (4 * 4)))), v[1, 3, 4, 0]);
    }

    [Fact]
    public void DetachedGzipDataAndAsciiEncodingRead()
    {
        using var folder = new TemporaryFolder();
        var values = Enumerable.Range(0, 24).Select(i => (float)(i * 0.5)).ToArray();
        using (var gz = new GZipStream(File.Create(folder.File("d.raw.gz")), CompressionLevel.Fastest))
        {
            foreach (var f in values)
            {
                var b = new byte[4];
                BinaryPrimitives.WriteSingleLittleEndian(b, f);
                gz.Write(b);
            }
        }

        File.WriteAllText(folder.File("d.nhdr"), "NRRD0005\ntype: float\ndimension: 3\nsizes: 2 3 4\nspacings: 0.5 0.5 2\nencoding: gzip\ndata file: d.raw.gz\n");
        using var v = VolumeIO.Read(folder.File("d.nhdr"));
        Assert.Equal(values[1 + (2 * (2 + (3 * 3)))], v[1, 2, 3]);

        // No space: ITK's convention (LPS, identity directions).
        VolumeAssert.AffineEqual([[-0.5, 0, 0, 0], [0, -0.5, 0, 0], [0, 0, 2, 0], [0, 0, 0, 1]], v.Geometry.Affine, 0);

        File.WriteAllText(folder.File("a.nrrd"), "NRRD0004\ntype: uchar\ndimension: 3\nsizes: 2 2 1\nspace: LPS\nspace directions: (1,0,0) (0,1,0) (0,0,1)\nencoding: ascii\n\n1 2\n3 4\n");
        using var a = VolumeIO.Read(folder.File("a.nrrd"));
        Assert.Equal(3, a[0, 1, 0]);
    }

    [Fact]
    public void BadHeadersFailNamingTheField()
    {
        using var folder = new TemporaryFolder();
        var cases = new (string Header, string Field)[]
        {
            ("NRRD0004\ntype: short\ndimension: 3\nencoding: raw\n\n", "sizes"),
            ("NRRD0004\ntype: short\ndimension: 3\nsizes: 4 4 0\nencoding: raw\n\n", "sizes"),
            ("NRRD0004\ntype: quaternion\ndimension: 3\nsizes: 4 4 4\nencoding: raw\n\n", "type"),
            ("NRRD0004\ntype: short\ndimension: 3\nsizes: 100000 100000 100000\nencoding: raw\n\n", "sizes"),
            ("NRRD0004\ntype: short\ndimension: 3\nsizes: 4 4 4\nencoding: raw\n\n\u0001\u0002", "sizes"),
            ("NRRD0004\ntype: short\ndimension: 3\nsizes: 2 2 2\nspace: LPS\nspace directions: (1,0,0) (0,0,0) (0,0,1)\nencoding: raw\n\n", "space directions"),
            ("NRRD0004\ntype: short\ndimension: 3\nsizes: 2 2 2\nencoding: gzip\n\nnot gzip at all, not at all", "compressed stream"),
        };
        foreach (var (header, field) in cases)
        {
            var path = folder.File("bad.nrrd");
            File.WriteAllText(path, header, Encoding.Latin1);
            var e = Assert.ThrowsAny<VolumeFormatException>(() => VolumeIO.Read(path));
            Assert.Equal(field, e.Field);
            Assert.Equal(path, e.File);
        }

        File.WriteAllText(folder.File("b.nrrd"), "NRRD0004\ntype: short\ndimension: 3\nsizes: 2 2 2\nencoding: bzip2\n\nxx");
        var ns = Assert.Throws<NotSupportedException>(() => VolumeIO.Read(folder.File("b.nrrd")));
        Assert.Contains("bzip2", ns.Message, StringComparison.Ordinal);
    }
}
