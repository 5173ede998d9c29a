using Hermes.Volumes;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Core.Tests.IO;

/// <summary>Exact and tolerant comparers for volumes and affines.</summary>
internal static class VolumeAssert
{
    public static void AffineEqual(double[,] expected, double[,] actual, double tolerance, string because = "")
    {
        for (var r = 0; r < 4; r++)
        {
            for (var c = 0; c < 4; c++)
            {
                var tol = tolerance * Math.Max(1, Math.Abs(expected[r, c]));
                Assert.True(Math.Abs(expected[r, c] - actual[r, c]) <= tol,
                    $"{because} affine[{r},{c}]: expected {expected[r, c]:G9}, got {actual[r, c]:G9} (tolerance {tol:G3}).\nexpected {SharedData.Format(expected)}\nactual   {SharedData.Format(actual)}");
            }
        }
    }

    public static void AffineEqual(double[][] expected, double[,] actual, double tolerance, string because = "")
    {
        var e = new double[4, 4];
        for (var r = 0; r < 4; r++)
        {
            for (var c = 0; c < 4; c++)
            {
                e[r, c] = expected[r][c];
            }
        }

        AffineEqual(e, actual, tolerance, because);
    }

    /// <summary>Voxel-exact equality (NaN equals NaN).</summary>
    public static void VoxelsEqual(Tensor expected, Tensor actual, string because = "")
    {
        Assert.Equal(expected.shape, actual.shape);
        using var scope = NewDisposeScope();
        var a = expected.to(ScalarType.Float64);
        var b = actual.to(ScalarType.Float64);
        var bothNan = a.isnan().logical_and(b.isnan());
        var differ = a.ne(b).logical_and(bothNan.logical_not());
        var count = differ.sum().item<long>();
        Assert.True(count == 0, $"{because}: {count} of {a.numel()} voxels differ.");
    }
}
