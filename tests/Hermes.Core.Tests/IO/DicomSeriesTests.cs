using System.Buffers.Binary;
using Hermes.IO;
using Hermes.IO.Dicom;
using Hermes.Volumes;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Core.Tests.IO;

/// <summary>
/// DICOM series: slice order from ImagePositionPatient (checked file by file against each file's own position and
/// pixels), spacing, rescale, and label maps stored in another array order matched through world coordinates.
/// </summary>
public sealed class DicomSeriesTests
{
    [SkippableFact]
    public void CtHeadSeriesHasDocumentedGridAndEveryFileLandsOnItsSlice()
    {
        var folder = SharedData.Path("ct_head_dicom", "dicom", "CT_head");
        using var v = VolumeIO.Read(folder);
        Assert.Equal("DICOM", v.Metadata.Format);
        Assert.Equal([64, 64, 93], v.Geometry.Shape);
        Assert.Equal(3.2, v.Geometry.Spacing[0], 4);
        Assert.Equal(3.2, v.Geometry.Spacing[1], 4);
        Assert.Equal(1.5, v.Geometry.Spacing[2], 4);
        AssertEveryFileOnItsSlice(folder, v);
    }

    [SkippableFact]
    public void ProstateSeriesHasDocumentedGridAndEveryFileLandsOnItsSlice()
    {
        var folder = SharedData.Path("prostate_mr", "dicom", "Prostate-MRI-US-Biopsy-0001_T2");
        using var v = VolumeIO.Read(folder);
        Assert.Equal([256, 256, 60], v.Geometry.Shape);
        Assert.Equal(0.664, v.Geometry.Spacing[0], 3);
        Assert.Equal(1.5, v.Geometry.Spacing[2], 4);
        Assert.Equal("MR", v.Metadata.Properties["Modality"]);
        AssertEveryFileOnItsSlice(folder, v);
    }

    [SkippableTheory]
    [InlineData("ct_head_dicom/dicom/CT_head", "ct_head_dicom/labelsTr/CT_head.nii.gz", 500, false)]
    [InlineData("prostate_mr/dicom/Prostate-MRI-US-Biopsy-0001_T2", "prostate_mr/labelsTr/Prostate-MRI-US-Biopsy-0001.nii.gz", 15, true)]
    public void LabelMapMatchesItsSeriesThroughWorldCoordinates(string series, string labelFile, double contrast, bool storedInAnotherOrder)
    {
        using var image = VolumeIO.Read(SharedData.Path(series.Split('/')));
        using var label = VolumeIO.Read(SharedData.Path(labelFile.Split('/')));
        var (mapped, maxOffGrid) = Resample(label, image.Geometry);
        Assert.True(maxOffGrid < 0.05, $"label voxel centres fall {maxOffGrid:G3} voxels off the DICOM grid");
        using var labelCount = label.Data.gt(0).sum();
        using var mappedCount = mapped.gt(0).sum();
        Assert.Equal(labelCount.item<long>(), mappedCount.item<long>());

        // Foreground must sit on brighter tissue than the background in the series.
        using var img = image.Data[0].to(ScalarType.Float64);
        using var fg = mapped.gt(0);
        using var inside = img.masked_select(fg).mean();
        using var outside = img.masked_select(fg.logical_not()).mean();
        Assert.True(inside.item<double>() > outside.item<double>() + contrast, $"inside {inside.item<double>():F1}, outside {outside.item<double>():F1}");

        // The prostate label is stored in another array order (README): overlaying it index by index would be wrong.
        using var naive = label.Data[0].gt(0);
        using var same = naive.eq(fg).all();
        Assert.Equal(!storedInAnotherOrder, same.item<bool>());
        mapped.Dispose();
    }

    [SkippableFact]
    public void SeveralSeriesInOneFolderAreListedAndSelectable()
    {
        using var folder = new TemporaryFolder();
        foreach (var f in Directory.EnumerateFiles(SharedData.Path("ct_head_dicom", "dicom", "CT_head")).Take(5))
        {
            File.Copy(f, folder.File("a_" + Path.GetFileName(f)));
        }

        foreach (var f in Directory.EnumerateFiles(SharedData.Path("prostate_mr", "dicom", "Prostate-MRI-US-Biopsy-0001_T2")).Take(4))
        {
            File.Copy(f, folder.File("b_" + Path.GetFileName(f)));
        }

        var e = Assert.Throws<DicomSeriesSelectionException>(() => VolumeIO.Read(folder.Path));
        Assert.Equal(2, e.Series.Count);
        Assert.Equal(VolumeReadSetting.SeriesInstanceUid, e.Setting);
        Assert.Contains(e.Series, s => s.Files == 5);
        var prostateUid = e.Series.Single(s => s.Files == 4).Uid;
        Assert.Contains(prostateUid, e.Message, StringComparison.Ordinal);
        using var chosen = VolumeIO.Read(folder.Path, new VolumeReadOptions { SeriesInstanceUid = prostateUid, SliceSpacingTolerance = 1 });
        Assert.Equal([256, 256], chosen.Geometry.Shape.Take(2));
    }

    [SkippableFact]
    public void MissingSliceMakesSpacingUnevenAndIsRejected()
    {
        using var folder = new TemporaryFolder();
        foreach (var f in Directory.EnumerateFiles(SharedData.Path("ct_head_dicom", "dicom", "CT_head")))
        {
            if (Path.GetFileName(f) != "CTHead40.dcm")
            {
                File.Copy(f, folder.File(Path.GetFileName(f)));
            }
        }

        var e = Assert.Throws<VolumeFormatException>(() => VolumeIO.Read(folder.Path));
        Assert.Equal("ImagePositionPatient (0020,0032)", e.Field);
        Assert.Contains("3", e.Value, StringComparison.Ordinal);
    }

    [SkippableFact]
    public void TruncatedSliceIsRejectedNamingTheFile()
    {
        using var folder = new TemporaryFolder();
        var source = Directory.EnumerateFiles(SharedData.Path("ct_head_dicom", "dicom", "CT_head")).First();
        var bytes = File.ReadAllBytes(source);
        File.WriteAllBytes(folder.File("cut.dcm"), bytes[..(bytes.Length - 100)]);
        var e = Assert.ThrowsAny<VolumeFormatException>(() => VolumeIO.Read(folder.Path));
        Assert.Contains("cut.dcm", e.File, StringComparison.Ordinal);
    }

    /// <summary>Each file's own ImagePositionPatient maps to (0, 0, k) of the volume, and its raw pixels (rescaled) equal slice k.</summary>
    private static void AssertEveryFileOnItsSlice(string folder, Volume v)
    {
        var seen = new HashSet<int>();
        foreach (var f in Directory.EnumerateFiles(folder))
        {
            var d = DicomFile.TryParse(f)!;
            var p = d.GetNumbers(DicomTag.ImagePositionPatient)!;
            var (i, j, k) = v.Geometry.WorldToIndex(-p[0], -p[1], p[2]);
            Assert.True(Math.Abs(i) < 1e-3 && Math.Abs(j) < 1e-3, $"{f}: position maps to ({i}, {j}, {k})");
            var slice = (int)Math.Round(k);
            Assert.True(Math.Abs(k - slice) < 1e-3, $"{f}: k = {k}");
            Assert.True(seen.Add(slice));
            var bytes = File.ReadAllBytes(f);
            var rows = d.GetUInt16(DicomTag.Rows)!.Value;
            var cols = d.GetUInt16(DicomTag.Columns)!.Value;
            var signed = d.GetUInt16(DicomTag.PixelRepresentation) == 1;
            var slope = d.GetNumbers(DicomTag.RescaleSlope)?[0] ?? 1;
            var intercept = d.GetNumbers(DicomTag.RescaleIntercept)?[0] ?? 0;
            foreach (var (r, c) in new[] { (0, 0), (rows / 2, cols / 3), (rows - 1, cols - 1), (rows / 3, cols / 2) })
            {
                var at = (int)d.PixelDataOffset + (2 * ((r * cols) + c));
                double raw = signed ? BinaryPrimitives.ReadInt16LittleEndian(bytes.AsSpan(at)) : BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(at));
                Assert.Equal((raw * slope) + intercept, v[c, r, slice], 3);
            }
        }

        Assert.Equal(v.Geometry.Shape[2], seen.Count);
    }

    /// <summary>Nearest-neighbour resampling of a label onto another grid through world coordinates (index-exact grids only).</summary>
    private static (Tensor Mapped, double MaxOffGrid) Resample(Volume label, VolumeGeometry target)
    {
        var t = target.Shape;
        var mapped = torch.zeros([t[2], t[1], t[0]], ScalarType.Int64);
        using var src = label.Data[0].to(ScalarType.Int64).contiguous();
        var s = label.Geometry.Shape;
        var values = src.data<long>().ToArray();
        var outArr = new long[t[0] * t[1] * t[2]];
        double maxOff = 0;
        for (var k = 0; k < s[2]; k++)
        {
            for (var j = 0; j < s[1]; j++)
            {
                for (var i = 0; i < s[0]; i++)
                {
                    var (x, y, z) = label.Geometry.IndexToWorld(i, j, k);
                    var (ti, tj, tk) = target.WorldToIndex(x, y, z);
                    int ri = (int)Math.Round(ti), rj = (int)Math.Round(tj), rk = (int)Math.Round(tk);
                    maxOff = Math.Max(maxOff, Math.Max(Math.Abs(ti - ri), Math.Max(Math.Abs(tj - rj), Math.Abs(tk - rk))));
                    Assert.InRange(ri, 0, t[0] - 1);
                    Assert.InRange(rj, 0, t[1] - 1);
                    Assert.InRange(rk, 0, t[2] - 1);
                    outArr[ri + (t[0] * (rj + (t[1] * rk)))] = values[i + (s[0] * (j + (s[1] * k)))];
                }
            }
        }

        mapped.Dispose();
        return (torch.tensor(outArr).reshape(t[2], t[1], t[0]), maxOff);
    }
}
