using Hermes.Core.Tests.IO;
using Hermes.IO;
using Hermes.Preprocessing;
using Hermes.Volumes;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Core.Tests.Preprocessing;

/// <summary>Reorientation to canonical RAS+ and back is exact, and every voxel keeps its world position.</summary>
public sealed class ReorientationTests
{
    [SkippableTheory]
    [InlineData("spinal_cord/imagesTr/sct_errsm30_t2.nii.gz")]
    [InlineData("upenn_gbm/imagesTr/UPENN-GBM-00002_t2.nii.gz")]
    [InlineData("isles22_stroke/imagesTr/sub-strokecase0009_dwi.nii.gz")]
    [InlineData("ms_lesions_ljubljana/imagesTr/patient19_flair.nii.gz")]
    [InlineData("pyradiomics_nrrd/imagesTr/breast1.nrrd")]
    public void CanonicalAndBackIsExactAndKeepsWorldPositions(string file)
    {
        using var v = VolumeIO.Read(SharedData.Path(file.Split('/')));
        var plan = Reorientation.ToCanonical(v.Geometry);
        using var canonical = plan.Apply(v);
        Assert.Equal("RAS", canonical.Geometry.OrientationCode);

        // Every sampled voxel of the canonical volume holds the value of the original voxel at the same world point.
        var random = new Random(3);
        var g = canonical.Geometry;
        for (var n = 0; n < 300; n++)
        {
            int i = random.Next(g.Shape[0]), j = random.Next(g.Shape[1]), k = random.Next(g.Shape[2]);
            var (x, y, z) = g.IndexToWorld(i, j, k);
            var (oi, oj, ok) = v.Geometry.WorldToIndex(x, y, z);
            Assert.True(Math.Abs(oi - Math.Round(oi)) < 1e-6 && Math.Abs(oj - Math.Round(oj)) < 1e-6 && Math.Abs(ok - Math.Round(ok)) < 1e-6);
            Assert.Equal(v[(int)Math.Round(oi), (int)Math.Round(oj), (int)Math.Round(ok)], canonical[i, j, k]);
        }

        using var back = plan.Inverse.Apply(canonical);
        VolumeAssert.VoxelsEqual(v.Data, back.Data, file);
        VolumeAssert.AffineEqual(v.Geometry.Affine, back.Geometry.Affine, 1e-12, file);
        Assert.Equal(v.Geometry.Shape, back.Geometry.Shape);
    }

    [Fact]
    public void EveryOrientationRoundTripsThroughEveryOther()
    {
        var codes = new List<string>();
        foreach (var p in new[] { "RAS", "RSA", "ARS", "ASR", "SRA", "SAR" })
        {
            for (var s = 0; s < 8; s++)
            {
                var chars = p.ToCharArray();
                for (var a = 0; a < 3; a++)
                {
                    if (((s >> a) & 1) == 1)
                    {
                        chars[a] = chars[a] switch { 'R' => 'L', 'A' => 'P', _ => 'I' };
                    }
                }

                codes.Add(new string(chars));
            }
        }

        using var data = torch.arange(2 * 3 * 4 * 5, ScalarType.Int32).reshape(2, 5, 4, 3);
        var geometry = VolumeGeometry.Create([3, 4, 5], [1.0, 2.0, 3.0], [5.0, 6.0, 7.0]);
        foreach (var code in codes)
        {
            var plan = Reorientation.ToOrientation(geometry, code);
            Assert.Equal(code, plan.Target.OrientationCode);
            using var moved = plan.Apply(data);
            using var back = plan.Inverse.Apply(moved);
            VolumeAssert.VoxelsEqual(data, back, code);
            VolumeAssert.AffineEqual(geometry.Affine, plan.Inverse.Target.Affine, 1e-12, code);
        }

        Assert.Equal(48, codes.Distinct().Count());
    }
}
