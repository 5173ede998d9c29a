using Hermes.IO;
using Hermes.IO.Dicom;
using Hermes.Volumes;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Core.Tests.IO;

/// <summary>
/// Every real volume in ../shared/data reads with the geometry its README states; every image/label pair shares shape
/// and affine. Affines of the oblique, permuted and qform-only files were computed independently (nibabel's rules, by
/// hand in Python) and are quoted.
/// </summary>
public sealed class RealDataGeometryTests
{
    [SkippableFact]
    public void EveryManifestPairReadsOnTheSameGrid()
    {
        var checkedPairs = 0;
        foreach (var row in SharedData.Manifest())
        {
            var dicomImage = row.Images.Any(i => i.EndsWith('/'));
            using var label = VolumeIO.Read(row.Label);
            using (var isInteger = label.Data.to(ScalarType.Float64).frac().abs().max())
            {
                Assert.True(isInteger.item<double>() == 0, $"{row.Label}: label values are not integers");
            }

            if (dicomImage)
            {
                continue; // DicomSeriesTests match these through world coordinates.
            }

            foreach (var image in row.Images)
            {
                using var v = VolumeIO.Read(image);
                if (image.Contains("_flair", StringComparison.Ordinal) && row.Dataset == "isles22_stroke")
                {
                    Assert.False(v.Geometry.IsSameGrid(label.Geometry), "ISLES FLAIR is documented to be on another grid");
                    Assert.Equal([512, 512, 29], v.Geometry.Shape);
                    continue;
                }

                // SCT mt1 labels carry float32 noise of 2e-4 mm in their sform; 1e-3 mm is far below any voxel size here.
                Assert.True(v.Geometry.IsSameGrid(label.Geometry, 1e-3), $"{row.Case}: {image} {v.Geometry} vs {row.Label} {label.Geometry}");
                checkedPairs++;
            }
        }

        Assert.True(checkedPairs >= 150, $"only {checkedPairs} pairs checked");
    }

    [SkippableTheory]
    [InlineData("totalsegmentator_examples/imagesTr/example_ct_sm.nii.gz", VoxelType.Int16, 122, 101, 30, 3.0, 3.0, 3.0)]
    [InlineData("totalsegmentator_examples/imagesTr/example_ct.nii.gz", VoxelType.Int32, 122, 101, 112, 3.0, 3.0, 3.0)]
    [InlineData("totalsegmentator_examples/imagesTr/example_mr_sm.nii.gz", VoxelType.Int16, 117, 91, 20, 3.0, 3.0, 3.0)]
    [InlineData("isles22_stroke/imagesTr/sub-strokecase0009_dwi.nii.gz", VoxelType.Float64, 112, 112, 73, 2.0, 2.0, 2.0)]
    [InlineData("isles22_stroke/imagesTr/sub-strokecase0009_flair.nii.gz", VoxelType.Float32, 512, 512, 29, 0.449, 0.449, 5.0)]
    [InlineData("msd_spleen_crop/imagesTr/spleen_2_crop.nii.gz", VoxelType.Float32, 164, 166, 26, 0.795, 0.795, 5.0)]
    [InlineData("spinal_cord/imagesTr/sct_errsm30_t2.nii.gz", VoxelType.Int16, 60, 55, 52, 1.0, 1.0, 1.0)]
    [InlineData("spinal_cord/imagesTr/sct_errsm30_t2s.nii.gz", VoxelType.Float32, 49, 54, 9, 0.5, 0.5, 7.5)]
    [InlineData("spinal_cord/imagesTr/sct_errsm30_mt1.nii.gz", VoxelType.Int16, 40, 40, 5, 0.84, 0.84, 17.0)]
    [InlineData("brats2013_deepmedic/imagesTr/brats_2013_pat0004_flair.nii.gz", VoxelType.Float32, 240, 240, 155, 1.0, 1.0, 1.0)]
    [InlineData("upenn_gbm/imagesTr/UPENN-GBM-00002_t2.nii.gz", VoxelType.Int16, 240, 240, 155, 1.0, 1.0, 1.0)]
    [InlineData("prostate_mr/imagesTr/autorad_prostate.nii.gz", VoxelType.Float32, 105, 81, 15, 0.6, 0.6, 4.0)]
    [InlineData("ms_lesions_ljubljana/imagesTr/patient19_flair.nii.gz", VoxelType.Float32, 182, 218, 182, 1.0, 1.0, 1.0)]
    [InlineData("mricron_atlas/imagesTr/ch2bet.nii.gz", VoxelType.UInt8, 181, 217, 181, 1.0, 1.0, 1.0)]
    [InlineData("pyradiomics_nrrd/imagesTr/brain1.nrrd", VoxelType.Int16, 256, 256, 25, 0.78, 0.78, 6.5)]
    [InlineData("pyradiomics_nrrd/imagesTr/breast1.nrrd", VoxelType.Int16, 45, 120, 21, 0.66, 0.66, 2.1)]
    [InlineData("spinal_cord/labelsTr/sct_errsm30_t2s_sc-auto.nii.gz", VoxelType.Int64, 49, 54, 9, 0.5, 0.5, 7.5)]
    [InlineData("spinal_cord/labelsTr/sct_errsm30_t2_sc-vertlevels.nii.gz", VoxelType.Float64, 60, 55, 52, 1.0, 1.0, 1.0)]
    [InlineData("isles22_stroke/labelsTr/sub-strokecase0009.nii.gz", VoxelType.UInt16, 112, 112, 73, 2.0, 2.0, 2.0)]
    public void ReadmeShapeSpacingAndTypeHold(string file, VoxelType type, int i, int j, int k, double si, double sj, double sk)
    {
        using var v = VolumeIO.Read(SharedData.Path(file.Split('/')));
        Assert.Equal(type, v.Metadata.DiskType);
        Assert.Equal([i, j, k], v.Geometry.Shape);
        var s = v.Geometry.Spacing;
        var tolerance = 0.01;
        Assert.True(Math.Abs(s[0] - si) < tolerance && Math.Abs(s[1] - sj) < tolerance && Math.Abs(s[2] - sk) < tolerance, $"{file}: spacing {string.Join(", ", s)}");
    }

    public static TheoryData<string, string, double[][]> IndependentAffines => new()
    {
        {
            "isles22_stroke/imagesTr/sub-strokecase0009_dwi.nii.gz", "LAS",
            [[-1.9966226816177368, -0.11613927036523819, 0.003094025421887636, 118.68132019042969], [-0.11422966420650482, 1.952681064605713, -0.41711902618408203, -79.13792419433594], [-0.021201128140091896, 0.4165913760662079, 1.9560168981552124, -57.679962158203125], [0, 0, 0, 1]]
        },
        { "spinal_cord/imagesTr/sct_errsm30_t2.nii.gz", "PSR", [[0.0, 0.0, 1.0, -32.21928405761719], [-1.0, 0.0, 0.0, 31.786605834960938], [0.0, 1.0, 0.0, -19.321670532226562], [0, 0, 0, 1]] },
        { "ms_lesions_ljubljana/imagesTr/patient19_flair.nii.gz", "LAS", [[-1.0, 0, 0, 90.0], [0.0, 1.0, 0, -126.0], [0, 0.0, 1.0, -72.0], [0, 0, 0, 1]] },
        { "upenn_gbm/imagesTr/UPENN-GBM-00002_t2.nii.gz", "LPS", [[-1.0, 0.0, 0.0, 0.0], [0.0, -1.0, 0.0, 239.0], [0.0, 0.0, 1.0, 0.0], [0, 0, 0, 1]] },
        { "mricron_atlas/imagesTr/ch2bet.nii.gz", "RAS", [[1.0, 0.0, 0.0, -90.0], [0.0, 1.0, 0.0, -125.0], [0.0, 0.0, 1.0, -71.0], [0, 0, 0, 1]] },
        {
            "spinal_cord/imagesTr/sct_errsm30_t2s.nii.gz", "LAS",
            [[-0.4999968707561493, -8.495162262533995e-08, 0.026536772027611732, 9.424601554870605], [-3.100670437561348e-05, 0.49992361664772034, -0.13108888268470764, -13.220688819885254], [0.0017688466468825936, 0.00873931497335434, 7.498806476593018, 2.5802221298217773], [0, 0, 0, 1]]
        },
    };

    [SkippableTheory]
    [MemberData(nameof(IndependentAffines))]
    public void AffinesMatchNibabelRules(string file, string code, double[][] expected)
    {
        using var v = VolumeIO.Read(SharedData.Path(file.Split('/')));
        VolumeAssert.AffineEqual(expected, v.Geometry.Affine, 1e-6, file);
        Assert.Equal(code, v.Geometry.OrientationCode);
    }

    [SkippableFact]
    public void ReadmeLabelCountsHold()
    {
        using var isles = VolumeIO.Read(SharedData.Path("isles22_stroke", "labelsTr", "sub-strokecase0009.nii.gz"));
        using var lesion = isles.Data.eq(1).sum();
        Assert.Equal(523L, lesion.item<long>());
        using var ms = VolumeIO.Read(SharedData.Path("ms_lesions_ljubljana", "labelsTr", "patient19.nii.gz"));
        using var msCount = ms.Data.eq(1).sum();
        Assert.Equal(49769L, msCount.item<long>());
        using var spleen = VolumeIO.Read(SharedData.Path("msd_spleen_crop", "labelsTr", "spleen_2_crop.nii.gz"));
        using var fraction = spleen.Data.eq(1).to(ScalarType.Float64).mean();
        Assert.Equal(0.137, fraction.item<double>(), 3);
        using var spleenImage = VolumeIO.Read(SharedData.Path("msd_spleen_crop", "imagesTr", "spleen_2_crop.nii.gz"));
        using var min = spleenImage.Data.min();
        using var max = spleenImage.Data.max();
        Assert.Equal(-1019, min.item<float>(), 0);
        Assert.Equal(949, max.item<float>(), 0);
    }

    [SkippableFact]
    public void EveryEdgeCaseReadsOrFailsWithADocumentedException()
    {
        var root = SharedData.Path("nifti_edge_cases");
        var outcomes = new List<string>();
        foreach (var file in Directory.EnumerateFiles(root, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            try
            {
                using var v = VolumeIO.Read(file);
                Assert.True(v.Geometry.VoxelCount > 0);
                outcomes.Add($"{Path.GetFileName(file)}: {v.Geometry}");
            }
            catch (Exception e) when (e is VolumeFormatException or NotSupportedException or FileNotFoundException)
            {
                Assert.Contains(Path.GetFileName(Path.GetDirectoryName(file)!), e.Message, StringComparison.Ordinal);
                outcomes.Add($"{Path.GetFileName(file)}: {e.GetType().Name}");
            }
        }

        Assert.True(outcomes.Count == 17, string.Join("\n", outcomes));
        foreach (var documented in new[] { "7106: VolumeFormatException", "nifti1.hdr: FileNotFoundException", "nifti2.hdr: FileNotFoundException", "analyze.hdr: FileNotFoundException" })
        {
            Assert.Contains(documented, outcomes);
        }

        Assert.Equal(10, outcomes.Count(o => o.Contains(" mm, origin ", StringComparison.Ordinal)));
    }

    [SkippableFact]
    public void UnevenlySpacedDicomSliceFolderIsRejected()
    {
        var e = Assert.Throws<VolumeFormatException>(() => VolumeIO.Read(SharedData.Path("nifti_edge_cases", "dicom_monai_ct")));
        Assert.Equal("ImagePositionPatient (0020,0032)", e.Field);
        Assert.Contains("uneven", e.Value, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void JpegTwoThousandSeriesIsNotSupportedNamingTheSyntax()
    {
        var e = Assert.Throws<NotSupportedException>(() => VolumeIO.Read(SharedData.Path("totalsegmentator_examples", "dicom", "example_ct_dicom")));
        Assert.Contains("1.2.840.10008.1.2.4.90", e.Message, StringComparison.Ordinal);
        Assert.Contains("JPEG 2000", e.Message, StringComparison.Ordinal);
        _ = typeof(DicomSeriesReader);
    }
}
