
using Hermes.Metrics;
using Hermes.Volumes;

namespace Hermes.Core.Tests.Metrics;

/// <summary>Binary shapes drawn in physical (mm) coordinates: voxel (z, y, x) sits at (z·sz, y·sy, x·sx).</summary>
internal static class SyntheticMasks
{
    public static byte[] Ball(MaskShape shape, VoxelSpacing spacing, (double Z, double Y, double X) centreMm, double radiusMm)
    {
        var mask = new byte[shape.VoxelCount];
        var r2 = radiusMm * radiusMm;
        for (var z = 0; z < shape.Depth; z++)
        {
            var dz = (z * spacing.Z) - centreMm.Z;
            for (var y = 0; y < shape.Height; y++)
            {
                var dy = (y * spacing.Y) - centreMm.Y;
                var row = ((z * shape.Height) + y) * shape.Width;
                for (var x = 0; x < shape.Width; x++)
                {
                    var dx = (x * spacing.X) - centreMm.X;
                    mask[row + x] = (dz * dz) + (dy * dy) + (dx * dx) <= r2 ? (byte)1 : (byte)0;
                }
            }
        }

        return mask;
    }

    public static byte[] Box(MaskShape shape, (int Z, int Y, int X) start, (int Z, int Y, int X) size)
    {
        var mask = new byte[shape.VoxelCount];
        for (var z = start.Z; z < start.Z + size.Z; z++)
        {
            for (var y = start.Y; y < start.Y + size.Y; y++)
            {
                var row = ((z * shape.Height) + y) * shape.Width;
                mask.AsSpan(row + start.X, size.X).Fill(1);
            }
        }

        return mask;
    }
}
