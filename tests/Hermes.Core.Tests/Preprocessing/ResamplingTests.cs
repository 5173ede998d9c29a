using Hermes.Core.Tests.IO;
using Hermes.IO;
using Hermes.Preprocessing;
using Hermes.Volumes;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Core.Tests.Preprocessing;

/// <summary>Resampling: linear ramps exact, label volumes kept, voxel-centre convention, crop/pad geometry.</summary>
public sealed class ResamplingTests
{
    [Fact]
    public void TrilinearReproducesALinearRampExactly()
    {
        var direction = new[,] { { 0.0, 1, 0 }, { -1, 0, 0 }, { 0, 0, 1 } };
        var source = VolumeGeometry.Create([20, 16, 12], [0.8, 0.8, 2.0], [10.0, -4.0, 3.0], direction);
        using var ramp = RampOn(source);
        using var volume = new Volume(ramp.alias(), source);
        var target = Resampling.TargetForSpacing(source, [1.5, 1.1, 1.3]);
        using var resampled = Resampling.ToGeometry(volume, target);
        using var expected = RampOn(target);

        // Compare where the target voxel centre lies inside the source grid (outside, border padding applies).
        var checkedVoxels = 0;
        var g = target;
        for (var k = 0; k < g.Shape[2]; k++)
        {
            for (var j = 0; j < g.Shape[1]; j++)
            {
                for (var i = 0; i < g.Shape[0]; i++)
                {
                    var (x, y, z) = g.IndexToWorld(i, j, k);
                    var (si, sj, sk) = source.WorldToIndex(x, y, z);
                    if (si < 0 || sj < 0 || sk < 0 || si > source.Shape[0] - 1 || sj > source.Shape[1] - 1 || sk > source.Shape[2] - 1)
                    {
                        continue;
                    }

                    Assert.Equal(Ramp(x, y, z), resampled[i, j, k], 9);
                    checkedVoxels++;
                }
            }
        }

        Assert.True(checkedVoxels > g.VoxelCount / 2, $"{checkedVoxels} of {g.VoxelCount}");
    }

    [Fact]
    public void TrilinearReproducesALinearRampOnAnObliqueTargetGrid()
    {
        var source = VolumeGeometry.Create([20, 16, 12], [0.8, 0.8, 2.0], [10.0, -4.0, 3.0]);
        using var ramp = RampOn(source);
        using var volume = new Volume(ramp.alias(), source);
        var c = Math.Cos(0.3);
        var s = Math.Sin(0.3);
        var target = VolumeGeometry.Create([8, 8, 8], [1.1, 1.2, 1.3], [13.0, 0.0, 10.0], new[,] { { c, -s, 0 }, { s, c, 0 }, { 0, 0, 1 } });
        using var resampled = Resampling.ToGeometry(volume, target);
        var checkedVoxels = 0;
        for (var k = 0; k < 8; k++)
        {
            for (var j = 0; j < 8; j++)
            {
                for (var i = 0; i < 8; i++)
                {
                    var (x, y, z) = target.IndexToWorld(i, j, k);
                    var (si, sj, sk) = source.WorldToIndex(x, y, z);
                    if (si < 0 || sj < 0 || sk < 0 || si > 19 || sj > 15 || sk > 11)
                    {
                        continue;
                    }

                    Assert.Equal(Ramp(x, y, z), resampled[i, j, k], 9);
                    checkedVoxels++;
                }
            }
        }

        Assert.True(checkedVoxels > 100, $"{checkedVoxels}");
    }

    [Theory]
    [InlineData(ResamplingMode.Nearest)]
    [InlineData(ResamplingMode.LinearOneHot)]
    public void LabelSphereKeepsItsVolumeWithinTwoPercent(ResamplingMode mode)
    {
        var source = VolumeGeometry.Create([96, 96, 40], [0.8, 0.8, 2.5]);
        var centre = (x: 38.0, y: 38.0, z: 48.0);
        const double radius = 20;
        var labels = new byte[96 * 96 * 40];
        for (var k = 0; k < 40; k++)
        {
            for (var j = 0; j < 96; j++)
            {
                for (var i = 0; i < 96; i++)
                {
                    var (x, y, z) = source.IndexToWorld(i, j, k);
                    var d = Math.Sqrt(Math.Pow(x - centre.x, 2) + Math.Pow(y - centre.y, 2) + Math.Pow(z - centre.z, 2));
                    labels[i + (96 * (j + (96 * k)))] = (byte)(d <= radius ? 2 : 0);
                }
            }
        }

        using var volume = Volume.FromArray(labels, source);
        using var resampled = Resampling.ToSpacing(volume, [1.5, 1.5, 1.5], mode);
        Assert.Equal(ScalarType.Byte, resampled.Data.dtype);
        using var values = torch.unique(resampled.Data).Item1;
        Assert.Equal([0, 2], values.data<byte>().ToArray());
        var exact = 4.0 / 3 * Math.PI * Math.Pow(radius, 3);
        using var count = resampled.Data.eq(2).sum();
        var sp = resampled.Geometry.Spacing;
        var measured = count.item<long>() * sp[0] * sp[1] * sp[2];
        Assert.True(Math.Abs(measured - exact) / exact < 0.02, $"{mode}: sphere {measured:F0} mm³ vs {exact:F0} mm³");
    }

    [Fact]
    public void TargetForSpacingKeepsTheGridCentre()
    {
        var source = VolumeGeometry.Create([512, 512, 300], [0.8, 0.8, 0.8], [-200.0, -180.0, -100.0]);
        var target = Resampling.TargetForSpacing(source, [1.5, 1.5, 1.5]);
        Assert.Equal([273, 273, 160], target.Shape);
        Assert.Equal([1.5, 1.5, 1.5], target.Spacing);
        var c1 = source.IndexToWorld(511 / 2.0, 511 / 2.0, 299 / 2.0);
        var c2 = target.IndexToWorld(272 / 2.0, 272 / 2.0, 159 / 2.0);
        Assert.Equal(c1.X, c2.X, 9);
        Assert.Equal(c1.Y, c2.Y, 9);
        Assert.Equal(c1.Z, c2.Z, 9);

        // First voxel centre at old index ((n − 1) − (n' − 1)·s'/s)/2 = (511 − 272·1.875)/2 = 0.5.
        Assert.Equal(-200 + (0.5 * 0.8), target.Origin[0], 9);
    }

    [Fact]
    public void IdentityResamplingIsExact()
    {
        var g = VolumeGeometry.Create([7, 6, 5], [1.2, 0.9, 3.0], [1.0, 2.0, 3.0]);
        using var data = torch.randn([2, 5, 6, 7], ScalarType.Float64, generator: torch.random.manual_seed(1));
        using var same = Resampling.Resample(data, g, g, ResamplingMode.Linear);
        using var err = same.sub(data).abs().max();
        Assert.True(err.item<double>() < 1e-12);
        using var labels = torch.randint(0, 5, [1, 5, 6, 7], ScalarType.Int16, generator: torch.random.manual_seed(2));
        using var nearest = Resampling.Resample(labels, g, g, ResamplingMode.Nearest);
        VolumeAssert.VoxelsEqual(labels, nearest, "nearest identity");
    }

    [SkippableFact]
    public void LabelResampledOntoAnotherGridThroughWorldCoordinates()
    {
        // ISLES lesion (DWI grid) onto the FLAIR grid: the lesion volume in mm³ is kept within 10 % (2 mm → 0.45×0.45×5 mm).
        using var label = VolumeIO.Read(SharedData.Path("isles22_stroke", "labelsTr", "sub-strokecase0009.nii.gz"));
        using var flair = VolumeIO.Read(SharedData.Path("isles22_stroke", "imagesTr", "sub-strokecase0009_flair.nii.gz"));
        using var onFlair = Resampling.ToGeometry(label, flair.Geometry, ResamplingMode.Nearest, zeroOutside: true);
        using var before = label.Data.eq(1).sum();
        using var after = onFlair.Data.eq(1).sum();
        var s1 = label.Geometry.Spacing;
        var s2 = flair.Geometry.Spacing;
        var v1 = before.item<long>() * s1[0] * s1[1] * s1[2];
        var v2 = after.item<long>() * s2[0] * s2[1] * s2[2];
        Assert.True(Math.Abs(v1 - v2) / v1 < 0.10, $"{v1:F0} mm³ vs {v2:F0} mm³");
    }

    [Fact]
    public void CropAndPadKeepWorldPositions()
    {
        var g = VolumeGeometry.Create([6, 5, 4], [1.0, 2.0, 3.0], [10.0, 20.0, 30.0]);
        using var v = new Volume(torch.arange(120, ScalarType.Float32).reshape(1, 4, 5, 6), g);
        using var region = CropPad.Region(v, [-2, 1, 1], [5, 3, 5], fill: -1);
        Assert.Equal([5, 3, 5], region.Geometry.Shape);
        for (var i = 0; i < 5; i++)
        {
            var (x, y, z) = region.Geometry.IndexToWorld(i, 1, 2);
            var (oi, oj, ok) = g.WorldToIndex(x, y, z);
            var inside = oi >= 0 && ok < 4;
            Assert.Equal(inside ? v[(int)Math.Round(oi), (int)Math.Round(oj), (int)Math.Round(ok)] : -1, region[i, 1, 2]);
        }

        Assert.Equal(-1, region[0, 0, 4]);
        using var centred = CropPad.CenterTo(v, [4, 7, 4]);
        Assert.Equal(v[1, 0, 0], centred[0, 1, 0]);
        var (start, size) = CropPad.ForegroundBox(v, threshold: 100);
        Assert.Equal([0, 1, 3], start);
        Assert.Equal([6, 4, 1], size);
    }

    private static double Ramp(double x, double y, double z) => (0.7 * x) - (1.3 * y) + (2.1 * z) + 5;

    private static Tensor RampOn(VolumeGeometry g)
    {
        var values = new double[g.VoxelCount];
        for (var k = 0; k < g.Shape[2]; k++)
        {
            for (var j = 0; j < g.Shape[1]; j++)
            {
                for (var i = 0; i < g.Shape[0]; i++)
                {
                    var (x, y, z) = g.IndexToWorld(i, j, k);
                    values[i + (g.Shape[0] * (j + (g.Shape[1] * k)))] = Ramp(x, y, z);
                }
            }
        }

        return torch.tensor(values).reshape(1, g.Shape[2], g.Shape[1], g.Shape[0]);
    }
}
