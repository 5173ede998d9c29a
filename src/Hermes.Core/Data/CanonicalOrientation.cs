using Hermes.Volumes;
using static TorchSharp.torch;

namespace Hermes.Data;

/// <summary>Re-orients a voxel array to RAS+ (i → R, j → A, k → S) by an exact permutation and flips; the affine follows.</summary>
internal static class CanonicalOrientation
{
    /// <summary>Returns the re-oriented data <c>[C, D, H, W]</c> (a new tensor) and its geometry.</summary>
    public static (Tensor Data, VolumeGeometry Geometry) ToRas(Tensor data, VolumeGeometry geometry)
    {
        var o = geometry.Orientation;
        if (o.IsCanonical)
        {
            return (data.alias(), geometry);
        }

        var a = geometry.Affine;
        var shape = geometry.Shape;
        var newAffine = new double[4, 4];
        newAffine[3, 3] = 1;
        for (var r = 0; r < 3; r++)
        {
            newAffine[r, 3] = a[r, 3];
        }

        var newShape = new int[3];
        var permutation = new long[4];
        permutation[0] = 0;
        var flips = new List<long>();
        for (var f = 0; f < 3; f++)
        {
            var w = o.WorldAxis[f];
            newShape[w] = shape[f];
            permutation[3 - w] = 3 - f;
            for (var r = 0; r < 3; r++)
            {
                newAffine[r, w] = o.Sign[f] * a[r, f];
            }

            if (o.Sign[f] < 0)
            {
                flips.Add(3 - w);
                for (var r = 0; r < 3; r++)
                {
                    newAffine[r, 3] += a[r, f] * (shape[f] - 1);
                }
            }
        }

        using var permuted = data.permute(permutation);
        var result = flips.Count > 0 ? permuted.flip([.. flips]) : permuted.contiguous();
        return (result, new VolumeGeometry(newShape[0], newShape[1], newShape[2], newAffine));
    }
}
