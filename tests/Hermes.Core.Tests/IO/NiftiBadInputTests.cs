using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using Hermes.IO;
using Hermes.IO.Nifti;
using Hermes.Volumes;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Core.Tests.IO;

/// <summary>
/// Bad NIfTI input is rejected before any large allocation with a specific exception naming the file and the field:
/// truncation, wrong magic, dims vs file size, zero/negative dims or spacing, 10¹² voxels, unknown datatypes, gzip garbage.
/// Also .hdr/.img pairs (plain and gzipped) read correctly.
/// </summary>
public sealed class NiftiBadInputTests
{
    private static byte[] ValidFile(out VolumeGeometry geometry)
    {
        geometry = VolumeGeometry.Create([4, 3, 2], [1.5, 2.0, 2.5], [1.0, 2.0, 3.0]);
        var header = NiftiWriter.Header(geometry, 1, VoxelType.Int16, 1);
        var data = new byte[4 * 3 * 2 * 2];
        for (var n = 0; n < 24; n++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(data.AsSpan(2 * n), (short)(n * 3));
        }

        return [.. header, .. data];
    }

    private static VolumeFormatException Fails(byte[] bytes, string name = "bad.nii")
    {
        using var folder = new TemporaryFolder();
        var path = folder.File(name);
        File.WriteAllBytes(path, bytes);
        var e = Assert.ThrowsAny<VolumeFormatException>(() => new NiftiReader().Read(path));
        Assert.Equal(path, e.File);
        Assert.Contains(name, e.Message, StringComparison.Ordinal);
        return e;
    }

    [Fact]
    public void ValidSyntheticFileReads()
    {
        using var folder = new TemporaryFolder();
        File.WriteAllBytes(folder.File("ok.nii"), ValidFile(out var g));
        using var v = VolumeIO.Read(folder.File("ok.nii"));
        Assert.True(v.Geometry.IsSameGrid(g, 1e-6));
        Assert.Equal(3 * (1 + (4 * (2 + (3 * 1)))), v[1, 2, 1]);
    }

    [Fact]
    public void TruncatedHeaderAndDataAreNamed()
    {
        var ok = ValidFile(out _);
        Assert.Equal("header", Fails(ok[..200]).Field);
        Assert.Equal("dim", Fails(ok[..(ok.Length - 1)]).Field);
    }

    [Fact]
    public void WrongSizeofHdrAndMagicAreNamed()
    {
        var ok = ValidFile(out _);
        var a = (byte[])ok.Clone();
        BinaryPrimitives.WriteInt32LittleEndian(a, 349);
        var e = Fails(a);
        Assert.Equal("sizeof_hdr", e.Field);
        Assert.Equal("349", e.Value);
        var b = (byte[])ok.Clone();
        "n+9\0"u8.CopyTo(b.AsSpan(344));
        Assert.Equal("magic", Fails(b).Field);
    }

    [Theory]
    [InlineData(1, 0, "dim[1]")]
    [InlineData(2, -3, "dim[2]")]
    [InlineData(0, 9, "dim[0]")]
    public void ZeroOrNegativeDimsAreNamed(int index, short value, string field)
    {
        var a = ValidFile(out _);
        BinaryPrimitives.WriteInt16LittleEndian(a.AsSpan(40 + (2 * index)), value);
        Assert.Equal(field, Fails(a).Field);
    }

    [Fact]
    public void ZeroOrNegativeSpacingIsNamedWhenUsed()
    {
        var a = ValidFile(out _);
        BinaryPrimitives.WriteInt16LittleEndian(a.AsSpan(254), 0); // sform off: the qform (and pixdim) is used
        BinaryPrimitives.WriteSingleLittleEndian(a.AsSpan(76 + 8), -2f);
        Assert.Equal("pixdim[2]", Fails(a).Field);
        BinaryPrimitives.WriteInt16LittleEndian(a.AsSpan(252), 0); // fallback from pixdim
        BinaryPrimitives.WriteSingleLittleEndian(a.AsSpan(76 + 8), 0f);
        Assert.Equal("pixdim[2]", Fails(a).Field);
        var b = ValidFile(out _);
        for (var c = 0; c < 4; c++)
        {
            BinaryPrimitives.WriteSingleLittleEndian(b.AsSpan(296 + (4 * c)), 0f); // srow_y = 0: singular sform
        }

        Assert.Equal("srow_x/srow_y/srow_z", Fails(b).Field);
    }

    [Fact]
    public void TrillionVoxelHeaderIsRejectedBeforeAllocation()
    {
        var a = ValidFile(out _);
        BinaryPrimitives.WriteInt16LittleEndian(a.AsSpan(40), 5);
        foreach (var i in new[] { 1, 2, 3, 4 })
        {
            BinaryPrimitives.WriteInt16LittleEndian(a.AsSpan(40 + (2 * i)), 1000);
        }

        var before = GC.GetTotalAllocatedBytes(precise: true);
        var clock = Stopwatch.StartNew();
        var e = Fails(a);
        Assert.Equal("dim", e.Field);
        Assert.Contains("1000000000000", e.Value, StringComparison.Ordinal);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(2));
        Assert.True(GC.GetTotalAllocatedBytes(precise: true) - before < 10_000_000);

        // Same header gzipped: the 1100× deflate bound rejects it too.
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true))
        {
            gz.Write(a);
        }

        Assert.Equal("dim", Fails(ms.ToArray(), "bad.nii.gz").Field);
    }

    [Fact]
    public void UnknownAndUnsupportedDatatypesAreDistinguished()
    {
        var a = ValidFile(out _);
        BinaryPrimitives.WriteInt16LittleEndian(a.AsSpan(70), 3);
        var e = Fails(a);
        Assert.Equal("datatype", e.Field);
        Assert.Equal("3", e.Value);

        using var folder = new TemporaryFolder();
        BinaryPrimitives.WriteInt16LittleEndian(a.AsSpan(70), 32);
        File.WriteAllBytes(folder.File("complex.nii"), a);
        var ns = Assert.Throws<NotSupportedException>(() => VolumeIO.Read(folder.File("complex.nii")));
        Assert.Contains("complex64", ns.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void GzipGarbageIsNamed()
    {
        var ok = ValidFile(out _);
        using var ms = new MemoryStream();
        using (var gz = new GZipStream(ms, CompressionLevel.Fastest, leaveOpen: true))
        {
            gz.Write(ok);
        }

        var compressed = ms.ToArray();
        var garbage = (byte[])compressed.Clone();
        for (var i = 12; i < garbage.Length - 8; i++)
        {
            garbage[i] = (byte)(garbage[i] * 31 + 7);
        }

        var e = Fails(garbage, "garbage.nii.gz");
        Assert.True(e.Field is "compressed stream" or "header" or "sizeof_hdr", e.Field);
        var cut = Fails(compressed[..(compressed.Length / 2)], "cut.nii.gz");
        Assert.True(cut.Field is "compressed stream" or "voxel data" or "header", cut.Field);
    }

    [SkippableFact]
    public void HdrImgPairsReadPlainAndGzipped()
    {
        using var folder = new TemporaryFolder();
        File.Copy(SharedData.Path("nifti_edge_cases", "nibabel", "nifti1.hdr"), folder.File("pair.hdr"));
        var header = NiftiReader.ReadHeader(folder.File("pair.hdr"));
        Assert.Equal(4, header.DataType);
        var count = 91 * 109 * 91;
        var img = new byte[count * 2];
        for (var n = 0; n < count; n++)
        {
            BinaryPrimitives.WriteInt16LittleEndian(img.AsSpan(2 * n), (short)(n % 1000));
        }

        File.WriteAllBytes(folder.File("pair.img"), img);
        using (var v = VolumeIO.Read(folder.File("pair.hdr")))
        {
            Assert.Equal([91, 109, 91], v.Geometry.Shape);
            Assert.Equal((5 + (91 * (6 + (109 * 7)))) % 1000, v[5, 6, 7]);
            VolumeAssert.AffineEqual([[-2, 0, 0, 90], [0, 2, 0, -126], [0, 0, 2, -72], [0, 0, 0, 1]], v.Geometry.Affine, 1e-9);
        }

        File.Move(folder.File("pair.img"), folder.File("pair.img.gz.tmp"));
        using (var gz = new GZipStream(File.Create(folder.File("pair.img.gz")), CompressionLevel.Fastest))
        {
            gz.Write(img);
        }

        using (var v = VolumeIO.Read(folder.File("pair.img.gz")))
        {
            Assert.Equal((5 + (91 * (6 + (109 * 7)))) % 1000, v[5, 6, 7]);
        }

        // Analyze 7.5 (no magic, big-endian uint8): nibabel's fallback affine (x flipped, centred).
        File.Copy(SharedData.Path("nifti_edge_cases", "nibabel", "analyze.hdr"), folder.File("an.hdr"));
        File.WriteAllBytes(folder.File("an.img"), new byte[91 * 109 * 91]);
        using (var a = VolumeIO.Read(folder.File("an.hdr")))
        {
            Assert.Equal("Analyze", a.Metadata.Format);
            Assert.Equal([91, 109, 91], a.Geometry.Shape);
            Assert.Equal("LAS", a.Geometry.OrientationCode);
            var s = a.Geometry.Spacing;
            VolumeAssert.AffineEqual([[-s[0], 0, 0, 45 * s[0]], [0, s[1], 0, -54 * s[1]], [0, 0, s[2], -45 * s[2]], [0, 0, 0, 1]], a.Geometry.Affine, 1e-9);
        }
    }
}
