using Hermes.Core.Tests.Metrics;
using Hermes.Inference;
using Hermes.Metrics;
using Hermes.Volumes;
using TorchSharp;

namespace Hermes.Core.Tests.Inference;

public class PostprocessingTests
{
    private static readonly MaskShape Shape = new(20, 22, 24);

    [Theory]
    [InlineData(1, 0, 0)] // face neighbours: one component under every connectivity
    [InlineData(1, 1, 0)] // edge neighbours
    [InlineData(1, 1, 1)] // corner neighbours
    public void TouchingCubesAreJoinedExactlyUnderTheConnectivityThatSeesTheirContact(int dz, int dy, int dx)
    {
        var mask = SyntheticMasks.Box(Shape, (4, 4, 4), (3, 3, 3));
        var second = SyntheticMasks.Box(Shape, (4 + (3 * dz), 4 + (3 * dy), 4 + (3 * dx)), (3, 3, 3));
        for (var i = 0; i < mask.Length; i++)
        {
            mask[i] |= second[i];
        }

        var contact = dz + dy + dx; // 1 face, 2 edge, 3 corner
        var expected = new Dictionary<Connectivity, int>
        {
            [Connectivity.Faces] = contact == 1 ? 1 : 2,
            [Connectivity.Edges] = contact <= 2 ? 1 : 2,
            [Connectivity.Corners] = 1,
        };
        foreach (var (connectivity, count) in expected)
        {
            ConnectedComponents.Label(mask, Shape, connectivity, out var sizes);
            Assert.Equal(count, sizes.Length);
            Assert.Equal(54, sizes.Sum());
        }
    }

    [Theory]
    [InlineData(Connectivity.Faces, 0.35)]
    [InlineData(Connectivity.Edges, 0.25)]
    [InlineData(Connectivity.Corners, 0.15)]
    [InlineData(Connectivity.Corners, 0.5)]
    public void LabelsEqualABreadthFirstFloodFillOnRandomMasks(Connectivity connectivity, double density)
    {
        var shape = new MaskShape(9, 11, 13);
        var random = new Random((int)connectivity + (int)(density * 100));
        var mask = new byte[shape.VoxelCount];
        for (var i = 0; i < mask.Length; i++)
        {
            mask[i] = random.NextDouble() < density ? (byte)(1 + random.Next(3)) : (byte)0;
        }

        var labels = ConnectedComponents.Label(mask, shape, connectivity, out var sizes);
        var reference = FloodFill(mask, shape, connectivity, out var referenceSizes);

        Assert.Equal(referenceSizes.Count, sizes.Length);
        var map = new Dictionary<int, int>();
        for (var i = 0; i < mask.Length; i++)
        {
            Assert.Equal(reference[i] == 0, labels[i] == 0);
            if (labels[i] != 0)
            {
                Assert.Equal(reference[i], map.TryGetValue(labels[i], out var r) ? r : map[labels[i]] = reference[i]);
            }
        }

        Assert.Equal(sizes.Length, map.Values.Distinct().Count());
        Assert.Equal(referenceSizes.OrderBy(s => s), sizes.OrderBy(s => s));
    }

    [Fact]
    public void KeepLargestLeavesExactlyTheLargestComponent()
    {
        var big = SyntheticMasks.Box(Shape, (2, 2, 2), (6, 7, 8));
        var mask = (byte[])big.Clone();
        Or(mask, SyntheticMasks.Box(Shape, (12, 12, 12), (4, 4, 4)));
        mask[((18 * Shape.Height) + 20) * Shape.Width + 22] = 1;

        var before = ConnectedComponents.KeepLargest(mask, Shape, Connectivity.Corners);

        Assert.Equal(3, before);
        Assert.Equal(big, mask);
        var empty = new byte[Shape.VoxelCount];
        Assert.Equal(0, ConnectedComponents.KeepLargest(empty, Shape, Connectivity.Faces));
        Assert.All(empty, v => Assert.Equal(0, v));
    }

    [Fact]
    public void SmallComponentsAreRemovedByVoxelCountOrVolume()
    {
        var cube27 = SyntheticMasks.Box(Shape, (2, 2, 2), (3, 3, 3));
        var cube8 = SyntheticMasks.Box(Shape, (10, 10, 10), (2, 2, 2));
        var mask = (byte[])cube27.Clone();
        Or(mask, cube8);
        mask[((18 * Shape.Height) + 20) * Shape.Width + 22] = 1;
        var spacing = new VoxelSpacing(2.0, 1.0, 1.0); // 2 mm³ per voxel

        var byVoxels = (byte[])mask.Clone();
        Assert.Equal(2, ConnectedComponents.RemoveSmall(byVoxels, Shape, 9, Connectivity.Faces));
        Assert.Equal(cube27, byVoxels);

        var byVolume = (byte[])mask.Clone();
        new MaskPostprocessor(new PostprocessingOptions { MinimumComponentVolumeMm3 = 16 }).Apply(byVolume, Shape, spacing);
        var expected = (byte[])cube27.Clone();
        Or(expected, cube8);
        Assert.Equal(expected, byVolume);
    }

    [Fact]
    public void HolesEnclosedInThreeDimensionsAreFilledAndOpenCavitiesAreNot()
    {
        var spacing = VoxelSpacing.Unit;
        var solid = SyntheticMasks.Ball(Shape, spacing, (10, 11, 12), 8);
        var cavity = SyntheticMasks.Ball(Shape, spacing, (10, 11, 12), 5);
        var shell = solid.Zip(cavity, (a, b) => (byte)(a & (1 - b))).ToArray();

        var filled = (byte[])shell.Clone();
        var count = ConnectedComponents.FillHoles(filled, Shape);

        Assert.Equal(cavity.Sum(v => v), count);
        Assert.Equal(solid, filled);

        // Drill a tunnel from the cavity to the outside along x: the cavity is no longer a hole.
        var open = (byte[])shell.Clone();
        for (var x = 12; x < Shape.Width; x++)
        {
            open[((10 * Shape.Height) + 11) * Shape.Width + x] = 0;
        }

        var openBefore = (byte[])open.Clone();
        Assert.Equal(0, ConnectedComponents.FillHoles(open, Shape));
        Assert.Equal(openBefore, open);

        // A background region touching the array border is never a hole, even when enclosed elsewhere.
        var slab = SyntheticMasks.Box(Shape, (0, 0, 0), (Shape.Depth, Shape.Height, 3));
        Assert.Equal(0, ConnectedComponents.FillHoles(slab, Shape));
    }

    [Fact]
    public void TensorMasksArePostprocessedPerTask()
    {
        var a = SyntheticMasks.Box(Shape, (2, 2, 2), (5, 5, 5));
        Or(a, SyntheticMasks.Box(Shape, (12, 12, 12), (2, 2, 2)));
        var b = SyntheticMasks.Box(Shape, (12, 12, 12), (2, 2, 2));
        Or(b, SyntheticMasks.Box(Shape, (2, 2, 2), (1, 1, 1)));
        using var masks = torch.tensor(a.Concat(b).ToArray(), [2, Shape.Depth, Shape.Height, Shape.Width]).to(torch.float32);

        using var result = new MaskPostprocessor(new PostprocessingOptions { KeepLargestComponent = true }).Apply(masks, VoxelSpacing.Unit);

        Assert.Equal(torch.ScalarType.Byte, result.dtype);
        Assert.Equal(125, result[0].sum().item<long>());
        Assert.Equal(8, result[1].sum().item<long>());
    }

    private static void Or(byte[] target, byte[] other)
    {
        for (var i = 0; i < target.Length; i++)
        {
            target[i] |= other[i];
        }
    }

    private static int[] FloodFill(byte[] mask, MaskShape shape, Connectivity connectivity, out List<long> sizes)
    {
        var offsets = new List<(int, int, int)>();
        for (var dz = -1; dz <= 1; dz++)
        {
            for (var dy = -1; dy <= 1; dy++)
            {
                for (var dx = -1; dx <= 1; dx++)
                {
                    var n = Math.Abs(dz) + Math.Abs(dy) + Math.Abs(dx);
                    if (n > 0 && (connectivity == Connectivity.Corners || (connectivity == Connectivity.Edges && n <= 2) || n == 1))
                    {
                        offsets.Add((dz, dy, dx));
                    }
                }
            }
        }

        var labels = new int[mask.Length];
        sizes = [];
        var queue = new Queue<(int Z, int Y, int X)>();
        for (var i = 0; i < mask.Length; i++)
        {
            if (mask[i] == 0 || labels[i] != 0)
            {
                continue;
            }

            sizes.Add(0);
            var label = sizes.Count;
            labels[i] = label;
            queue.Enqueue((i / (shape.Height * shape.Width), i / shape.Width % shape.Height, i % shape.Width));
            while (queue.Count > 0)
            {
                var (z, y, x) = queue.Dequeue();
                sizes[^1]++;
                foreach (var (dz, dy, dx) in offsets)
                {
                    var (nz, ny, nx) = (z + dz, y + dy, x + dx);
                    if (nz < 0 || ny < 0 || nx < 0 || nz >= shape.Depth || ny >= shape.Height || nx >= shape.Width)
                    {
                        continue;
                    }

                    var j = (((nz * shape.Height) + ny) * shape.Width) + nx;
                    if (mask[j] != 0 && labels[j] == 0)
                    {
                        labels[j] = label;
                        queue.Enqueue((nz, ny, nx));
                    }
                }
            }
        }

        return labels;
    }
}
