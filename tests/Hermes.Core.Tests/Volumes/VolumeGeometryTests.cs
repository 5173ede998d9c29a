using Hermes.Core.Tests.IO;
using Hermes.IO;
using Hermes.Volumes;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Core.Tests.Volumes;

/// <summary>Geometry: index↔world identity, LPS conversion, orientation codes (nibabel aff2axcodes), axis order of tensors.</summary>
public sealed class VolumeGeometryTests
{
    [SkippableFact]
    public void IndexToWorldToIndexIsIdentityOnObliqueRealAffines()
    {
        foreach (var file in new[] { "isles22_stroke/imagesTr/sub-strokecase0009_dwi.nii.gz", "spinal_cord/imagesTr/sct_errsm30_t2s.nii.gz", "spinal_cord/imagesTr/sct_errsm30_t2.nii.gz" })
        {
            using var v = VolumeIO.Read(SharedData.Path(file.Split('/')));
            var g = v.Geometry;
            var random = new Random(7);
            for (var n = 0; n < 1000; n++)
            {
                double i = random.NextDouble() * g.Shape[0], j = random.NextDouble() * g.Shape[1], k = random.NextDouble() * g.Shape[2];
                var (x, y, z) = g.IndexToWorld(i, j, k);
                var (i2, j2, k2) = g.WorldToIndex(x, y, z);
                Assert.True(Math.Abs(i - i2) < 1e-9 && Math.Abs(j - j2) < 1e-9 && Math.Abs(k - k2) < 1e-9, $"{file}: ({i}, {j}, {k}) → ({i2}, {j2}, {k2})");
            }
        }
    }

    [Fact]
    public void LpsAffineNegatesXAndYAndRoundTrips()
    {
        var g = VolumeGeometry.Create([10, 20, 30], [0.5, 0.7, 2.5], [10.0, -20.0, 30.0]);
        var lps = g.LpsAffine;
        Assert.Equal(-0.5, lps[0, 0]);
        Assert.Equal(-0.7, lps[1, 1]);
        Assert.Equal(2.5, lps[2, 2]);
        Assert.Equal(-10.0, lps[0, 3]);
        Assert.Equal(20.0, lps[1, 3]);
        Assert.Equal(30.0, lps[2, 3]);
        Assert.Equal("RAS", g.OrientationCode);
        var back = VolumeGeometry.FromLps(g.Shape, lps);
        Assert.True(back.IsSameGrid(g, 0));
    }

    [Fact]
    public void OrientationCodeOfEverySignedPermutation()
    {
        var letters = new[] { ("R", "L"), ("A", "P"), ("S", "I") };
        var count = 0;
        foreach (var perm in new[] { new[] { 0, 1, 2 }, [0, 2, 1], [1, 0, 2], [1, 2, 0], [2, 0, 1], [2, 1, 0] })
        {
            for (var signs = 0; signs < 8; signs++)
            {
                var a = new double[4, 4];
                var expected = "";
                for (var axis = 0; axis < 3; axis++)
                {
                    var negative = ((signs >> axis) & 1) == 1;
                    a[perm[axis], axis] = (negative ? -1 : 1) * (axis + 1.5);
                    expected += negative ? letters[perm[axis]].Item2 : letters[perm[axis]].Item1;
                }

                a[3, 3] = 1;
                var g = new VolumeGeometry(3, 4, 5, a);
                Assert.Equal(expected, g.OrientationCode);
                count++;
            }
        }

        Assert.Equal(48, count);
    }

    [Fact]
    public void ObliqueAffineGetsNearestAxisCodes()
    {
        // 20° rotation about z: i mostly R, j mostly A.
        var c = Math.Cos(20 * Math.PI / 180);
        var s = Math.Sin(20 * Math.PI / 180);
        var g = VolumeGeometry.Create([4, 4, 4], [1.0, 1.0, 1.0], null, new[,] { { c, -s, 0 }, { s, c, 0 }, { 0, 0, -1 } });
        Assert.Equal("RAI", g.OrientationCode);
        Assert.Equal(1.0, g.Spacing[0], 12);
    }

    [Fact]
    public void TensorAxesAreChannelKJI()
    {
        var values = Enumerable.Range(0, 2 * 3 * 4 * 5).Select(n => (float)n).ToArray();
        using var v = Volume.FromArray(values, VolumeGeometry.Create([3, 4, 5], [1.0, 1.0, 1.0]), channels: 2);
        Assert.Equal([2L, 5, 4, 3], v.Data.shape);

        // i fastest, then j, k, channel.
        Assert.Equal(1 + (3 * (2 + (4 * (3 + (5 * 1))))), v[1, 2, 3, 1]);
        using var direct = v.Data[1, 3, 2, 1];
        Assert.Equal(v[1, 2, 3, 1], direct.item<float>());
    }

    [Fact]
    public void SingularOrMismatchedGeometryIsRejected()
    {
        Assert.Throws<ArgumentException>(() => VolumeGeometry.Create([2, 2, 2], [1.0, 0.0, 1.0]));
        Assert.Throws<ArgumentException>(() => new VolumeGeometry(0, 2, 2, new double[4, 4]));
        using var t = torch.zeros(2, 3, 4);
        Assert.Throws<ArgumentException>(() => new Volume(t.alias(), VolumeGeometry.Create([2, 3, 4], [1.0, 1.0, 1.0])));
    }
}
