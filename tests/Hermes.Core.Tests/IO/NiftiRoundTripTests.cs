using Hermes.IO;
using Hermes.IO.Nifti;
using Hermes.Volumes;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Core.Tests.IO;

/// <summary>
/// read → write → read is exact for every NIfTI in ../shared/data: identical voxels (NaN included) and the affine to
/// 1e-6 relative (the sform is stored as float32, so a qform-derived affine is rounded once at 6e-8 relative).
/// </summary>
public sealed class NiftiRoundTripTests
{
    [SkippableFact]
    public void EveryNiftiInSharedDataRoundTripsExactly()
    {
        using var folder = new TemporaryFolder();
        var count = 0;
        foreach (var file in SharedData.AllNiftiFiles())
        {
            using var original = VolumeIO.Read(file);
            var target = folder.File($"{count}.nii.gz");
            VolumeIO.Write(original, target);
            using var again = VolumeIO.Read(target);
            Assert.Equal(original.Geometry.Shape, again.Geometry.Shape);
            Assert.Equal(original.Channels, again.Channels);
            Assert.Equal(original.Data.dtype, again.Data.dtype);
            VolumeAssert.VoxelsEqual(original.Data, again.Data, file);
            VolumeAssert.AffineEqual(original.Geometry.Affine, again.Geometry.Affine, 1e-6, file);
            Assert.Equal(original.Geometry.OrientationCode, again.Geometry.OrientationCode);
            File.Delete(target);
            count++;
        }

        Assert.True(count > 250, $"only {count} NIfTI files found");
    }

    [SkippableFact]
    public void WrittenFileHasMatchingQformAndSform()
    {
        using var folder = new TemporaryFolder();
        using var original = VolumeIO.Read(SharedData.Path("isles22_stroke", "imagesTr", "sub-strokecase0009_dwi.nii.gz"));
        var target = folder.File("dwi.nii");
        VolumeIO.Write(original, target);
        var header = NiftiReader.ReadHeader(target);
        Assert.Equal(1, header.SformCode);
        Assert.Equal(1, header.QformCode);
        var qform = NiftiAffine.Qform(header, target);
        var sform = NiftiAffine.Best(header, target, out _);

        // The ISLES affine is oblique with a small shear: the qform keeps the closest rotation, within 1e-2 mm per entry.
        VolumeAssert.AffineEqual(sform, qform, 1e-2, "qform vs sform");
        Assert.Equal(352 + (112L * 112 * 73 * 8), new FileInfo(target).Length);
    }

    [SkippableFact]
    public void LabelsAreWrittenUnscaledAsUInt8OrInt16()
    {
        using var folder = new TemporaryFolder();
        using var brats = VolumeIO.Read(SharedData.Path("brats2013_deepmedic", "labelsTr", "brats_2013_pat0004.nii.gz"));
        Assert.Equal(VoxelType.Float32, brats.Metadata.DiskType);
        var target = folder.File("seg.nii.gz");
        VolumeIO.Write(brats, target, new VolumeWriteOptions { IsLabel = true });
        var header = NiftiReader.ReadHeader(target);
        Assert.Equal(2, header.DataType);
        Assert.Equal(1.0, header.SclSlope);
        Assert.Equal(0.0, header.SclInter);
        using var again = VolumeIO.Read(target);
        VolumeAssert.VoxelsEqual(brats.Data, again.Data, "labels");

        using var wide = torch.tensor(new short[] { -3, 0, 300, 7, 0, 1, 2, 3 }).reshape(1, 2, 2, 2);
        using var v = new Volume(wide.alias(), VolumeGeometry.Create([2, 2, 2], [1.0, 1.0, 1.0]));
        var path16 = folder.File("wide.nii");
        VolumeIO.Write(v, path16, new VolumeWriteOptions { IsLabel = true });
        Assert.Equal(4, NiftiReader.ReadHeader(path16).DataType);

        using var fractional = new Volume(torch.full([1, 2, 2, 2], 0.5f), VolumeGeometry.Create([2, 2, 2], [1.0, 1.0, 1.0]));
        Assert.Throws<ArgumentException>(() => VolumeIO.Write(fractional, folder.File("bad.nii"), new VolumeWriteOptions { IsLabel = true }));
        Assert.False(File.Exists(folder.File("bad.nii")));
    }

    [SkippableFact]
    public void UInt16RoundTripsAsUInt16()
    {
        using var folder = new TemporaryFolder();
        using var isles = VolumeIO.Read(SharedData.Path("isles22_stroke", "labelsTr", "sub-strokecase0009.nii.gz"));
        Assert.Equal(ScalarType.Int32, isles.Data.dtype);
        var target = folder.File("u16.nii.gz");
        VolumeIO.Write(isles, target);
        Assert.Equal(512, NiftiReader.ReadHeader(target).DataType);
    }

    [SkippableFact]
    public void FailedWriteLeavesNoFile()
    {
        using var folder = new TemporaryFolder();
        using var big = new Volume(torch.zeros([1, 1, 1, 40000], ScalarType.Byte), VolumeGeometry.Create([40000, 1, 1], [1.0, 1.0, 1.0]));
        Assert.Throws<NotSupportedException>(() => VolumeIO.Write(big, folder.File("x.nii.gz")));
        Assert.Empty(Directory.EnumerateFileSystemEntries(folder.Path));
    }
}
