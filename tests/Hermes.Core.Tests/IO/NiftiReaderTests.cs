using Hermes.IO;
using Hermes.IO.Nifti;
using Hermes.Volumes;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Core.Tests.IO;

/// <summary>
/// The NIfTI reader on nibabel's reader-test files. Expected affines, sums and scaled values were computed
/// independently (by hand-written Python header parsing, nibabel's rules) and are quoted here.
/// </summary>
public sealed class NiftiReaderTests
{
    private static string Edge(string name) => SharedData.Path("nifti_edge_cases", "nibabel", name);

    [SkippableFact]
    public void BigEndianNifti1ReadsWithSformAndExactVoxels()
    {
        using var v = VolumeIO.Read(Edge("anatomical.nii"));
        Assert.Equal("NIfTI-1", v.Metadata.Format);
        Assert.Equal(VoxelType.Int16, v.Metadata.DiskType);
        Assert.Equal("big-endian", v.Metadata.Properties["byte_order"]);
        Assert.Equal([33, 41, 25], v.Geometry.Shape);
        VolumeAssert.AffineEqual([[-2, 0, 0, 32], [0, 2, 0, -40], [0, 0, 2, -16], [0, 0, 0, 1]], v.Geometry.Affine, 1e-9);
        Assert.Equal("LAS", v.Geometry.OrientationCode);
        using var sum = v.Data.to(ScalarType.Int64).sum();
        Assert.Equal(284166082L, sum.item<long>());
        Assert.Equal(9798, v[1, 2, 3]);
        using var max = v.Data.max();
        Assert.Equal(30393, max.item<short>());
    }

    [SkippableFact]
    public void ScaledFourDimensionalIntegersBecomeFloatChannels()
    {
        using var v = VolumeIO.Read(Edge("functional.nii"));
        Assert.Equal(20, v.Channels);
        Assert.Equal([17, 21, 3], v.Geometry.Shape);
        Assert.Equal(ScalarType.Float32, v.Data.dtype);
        Assert.Equal(0.07540696859359741, v.Metadata.ScaleSlope, 12);
        Assert.Equal(3100.76171875, v.Metadata.ScaleIntercept, 9);
        using var mean = v.Data.to(ScalarType.Float64).mean();
        Assert.Equal(3637.408513675239, mean.item<double>(), 3);
        Assert.Equal(3971.1089502573013, v[0, 0, 0, 19], 3);
        VolumeAssert.AffineEqual([[-4, 0, 0, 32], [0, 4, 0, -40], [0, 0, 8, 0], [0, 0, 0, 1]], v.Geometry.Affine, 1e-9);
    }

    [SkippableFact]
    public void HeaderExtensionIsSkippedAndVoxOffsetHonoured()
    {
        using var v = VolumeIO.Read(Edge("example4d.nii.gz"));
        Assert.Equal([128, 96, 24], v.Geometry.Shape);
        Assert.Equal(2, v.Channels);
        using var sum = v.Data.to(ScalarType.Int64).sum();
        Assert.Equal(101985356L, sum.item<long>());
        using var c1 = v.Data[1].to(ScalarType.Int64).sum();
        Assert.Equal(50990959L, c1.item<long>());
        VolumeAssert.AffineEqual(
            [[-2.0, 6.714715653593746e-19, 9.081024511081715e-18, 117.8551025390625], [-6.714715653593746e-19, 1.9737114906311035, -0.35552823543548584, -35.72294235229492], [8.25548088896093e-18, 0.3232076168060303, 2.171081781387329, -7.248798370361328], [0, 0, 0, 1]],
            v.Geometry.Affine, 1e-9);
    }

    [SkippableFact]
    public void Nifti2WithExtensionReads()
    {
        using var v = VolumeIO.Read(Edge("example_nifti2.nii.gz"));
        Assert.Equal("NIfTI-2", v.Metadata.Format);
        Assert.Equal([32, 20, 12], v.Geometry.Shape);
        Assert.Equal(2, v.Channels);
        using var sum = v.Data.to(ScalarType.Int64).sum();
        Assert.Equal(6926802L, sum.item<long>());
        Assert.Equal("LAS", v.Geometry.OrientationCode);
    }

    [SkippableFact]
    public void NaNsSurviveReading()
    {
        using var v = VolumeIO.Read(Edge("resampled_anat_moved.nii"));
        Assert.Equal(ScalarType.Float32, v.Data.dtype);
        using var nan = v.Data.isnan().sum();
        Assert.Equal(153L, nan.item<long>());
        using var finiteSum = v.Data.nan_to_num(0).to(ScalarType.Float64).sum();
        Assert.Equal(7749957.09866333, finiteSum.item<double>(), 2);
    }

    [SkippableFact]
    public void SformCode2WithZeroQformIsUsed()
    {
        using var v = VolumeIO.Read(Edge("standard.nii.gz"));
        Assert.Equal([4, 5, 7], v.Geometry.Shape);
        Assert.Equal([1.0, 3.0, 2.0], v.Geometry.Spacing);
        Assert.Equal("sform", v.Metadata.Properties["affine_source"]);
        using var sum = v.Data.to(ScalarType.Int64).sum();
        Assert.Equal(7650L, sum.item<long>());
        Assert.Equal(255, v[1, 0, 0]);
    }

    [SkippableFact]
    public void SixDimensionalCiftiReadsAsChannels()
    {
        using var v = VolumeIO.Read(Edge("row_major.dconn.nii"));
        Assert.Equal([1, 1, 1], v.Geometry.Shape);
        Assert.Equal(100, v.Channels);
        Assert.Equal("NIfTI-2", v.Metadata.Format);
    }

    [SkippableTheory]
    [InlineData("nifti1.hdr")]
    [InlineData("nifti2.hdr")]
    [InlineData("analyze.hdr")]
    public void HeaderWithoutImageFileFailsNamingTheMissingImg(string name)
    {
        var e = Assert.Throws<FileNotFoundException>(() => VolumeIO.Read(Edge(name)));
        Assert.Contains(".img", e.Message, StringComparison.Ordinal);
        Assert.Contains(name, e.Message, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void HeaderOnlyFilesStillParse()
    {
        var h1 = NiftiReader.ReadHeader(Edge("nifti1.hdr"));
        Assert.Equal(1, h1.Version);
        Assert.False(h1.IsSingleFile);
        Assert.Equal([3L, 91, 109, 91], h1.Dim.Take(4));
        var h2 = NiftiReader.ReadHeader(Edge("nifti2.hdr"));
        Assert.Equal(2, h2.Version);
        var analyze = NiftiReader.ReadHeader(Edge("analyze.hdr"));
        Assert.Equal(0, analyze.Version);
        Assert.True(analyze.IsBigEndian);
        var a1 = NiftiAffine.Best(h1, "nifti1.hdr", out var source);
        Assert.Equal(NiftiAffine.Source.Sform, source);
        VolumeAssert.AffineEqual([[-2, 0, 0, 90], [0, 2, 0, -126], [0, 0, 2, -72], [0, 0, 0, 1]], a1, 1e-9);
    }

    [SkippableFact]
    public void ScaledInt32BrainMaskBecomesZeroAndOne()
    {
        using var v = VolumeIO.Read(SharedData.Path("brats2013_deepmedic", "masks", "brats_2013_pat0004_brainmask.nii.gz"));
        Assert.Equal(VoxelType.Int32, v.Metadata.DiskType);
        Assert.Equal(ScalarType.Float64, v.Data.dtype);
        using var rounded = v.Data.round();
        using var err = v.Data.sub(rounded).abs().max();
        Assert.True(err.item<double>() < 1e-6);
        using var ones = rounded.eq(1).sum();
        using var zeros = rounded.eq(0).sum();
        Assert.Equal(1245191L, ones.item<long>());
        Assert.Equal(7682809L, zeros.item<long>());
    }

    [SkippableFact]
    public void ScalingCanBeTurnedOff()
    {
        using var v = VolumeIO.Read(Edge("functional.nii"), new VolumeReadOptions { ApplyScaling = false });
        Assert.Equal(ScalarType.Int16, v.Data.dtype);
        using var sum = v.Data.to(ScalarType.Int64).sum();
        Assert.Equal(152439152L, sum.item<long>());
    }
}
