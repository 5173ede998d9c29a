using Hermes.IO;
using Hermes.Testing;
using Hermes.Checkpoints;
using Hermes.Core.Tests.IO;
using Hermes.Data;
using TorchSharp;
using static TorchSharp.torch;
using Hermes.Preprocessing;

namespace Hermes.Core.Tests.Data;

public sealed class PreprocessingCacheTests
{
    private static readonly byte[] Label = SyntheticCases.Label(12, 10, 8, (z, y, x) => (x - 6) * (x - 6) + (y - 5) * (y - 5) + (z - 4) * (z - 4) < 9 ? 1 : x == 0 ? 2 : 0);

    private static float[] Ramp() => [.. Enumerable.Range(0, 12 * 10 * 8).Select(i => (float)Math.Sin(i * 0.37) * 100 + 40)];

    [Fact]
    public void SecondOpenIsACacheHit()
    {
        using var folder = new TemporaryFolder();
        var c = SyntheticCases.WritePair(folder.Path, "a", "hit", Label, 12, 10, 8, Ramp());
        var cache = new PreprocessingCache(folder.File("cache"), SyntheticCases.Catalog(), new PreprocessingOptions { TargetSpacing = null });
        string path;
        using (var first = cache.Open(c))
        {
            path = first.Path;
        }

        var written = File.GetLastWriteTimeUtc(path);
        using var second = cache.Open(c);
        Assert.Equal(path, second.Path);
        Assert.Equal(1, cache.Misses);
        Assert.Equal(1, cache.Hits);
        Assert.Equal(written, File.GetLastWriteTimeUtc(path));
        Assert.Equal(cache.Fingerprint(c), second.Fingerprint);
        Assert.Single(Directory.GetFiles(folder.File("cache")));
    }

    [Fact]
    public void CacheFileNamesStayInTheFolderAndUnderTheNameLimit()
    {
        using var folder = new TemporaryFolder();
        var c = SyntheticCases.WritePair(folder.Path, "a", "ok", Label, 12, 10, 8, Ramp());
        var cache = new PreprocessingCache(folder.File("cache"), SyntheticCases.Catalog(), SyntheticCases.Raw);
        foreach (var id in new[] { "../../../etc/passwd", new string('x', 400), ".hidden", "a b:c\\d" })
        {
            var path = cache.PathOf(c with { CaseId = id });
            Assert.Equal(Path.GetFullPath(folder.File("cache")), Path.GetDirectoryName(Path.GetFullPath(path)));
            Assert.True(Path.GetFileName(path).Length <= SafeFileName.MaxLength + 24, path); // stem + "__" + 16 hex + ".hpc"
            Assert.False(Path.GetFileName(path).StartsWith('.'), path);
        }
    }

    [Fact]
    public void CorruptCacheFileIsRebuilt()
    {
        using var folder = new TemporaryFolder();
        var c = SyntheticCases.WritePair(folder.Path, "a", "bad", Label, 12, 10, 8, Ramp());
        var cache = new PreprocessingCache(folder.File("cache"), SyntheticCases.Catalog(), SyntheticCases.Raw);
        var path = cache.PathOf(c);
        File.WriteAllBytes(path, [.. "HRMSPC01"u8, 5, 0, 0, 0, (byte)'{', (byte)'x']);
        using var rebuilt = cache.Open(c);
        Assert.Equal(1, cache.Misses);
        Assert.Equal([1, 8, 10, 12], rebuilt.Shape);
        Assert.Throws<InvalidDataException>(() => PreprocessedCase.Open(c.LabelPath));
    }

    [Fact]
    public void ChangedSettingsOrSourceReRunPreprocessing()
    {
        using var folder = new TemporaryFolder();
        var c = SyntheticCases.WritePair(folder.Path, "a", "fp", Label, 12, 10, 8, Ramp());
        var catalog = SyntheticCases.Catalog();
        var cacheFolder = folder.File("cache");
        var a = new PreprocessingCache(cacheFolder, catalog, new PreprocessingOptions { TargetSpacing = null });
        var b = new PreprocessingCache(cacheFolder, catalog, new PreprocessingOptions { TargetSpacing = [2.0, 2.0, 2.0] });
        var ct = new PreprocessingCache(cacheFolder, catalog, new PreprocessingOptions
        {
            TargetSpacing = null,
            Normalization = new Dictionary<string, IntensityNormalization> { ["CT"] = new(IntensityClipMode.FixedRange, -50, 50) },
        });
        Assert.NotEqual(a.Fingerprint(c), b.Fingerprint(c));
        Assert.NotEqual(a.Fingerprint(c), ct.Fingerprint(c));
        using (var x = a.Open(c))
        using (var y = b.Open(c))
        using (var z = ct.Open(c))
        {
            Assert.Equal([1, 8, 10, 12], x.Shape);
            Assert.Equal([1, 4, 5, 6], y.Shape);
            Assert.Equal([1, 8, 10, 12], z.Shape);
            using var xi = x.ReadImage();
            using var zi = z.ReadImage();
            Assert.False(TensorEquality.Same(xi, zi));
        }

        Assert.Equal(1, a.Misses);
        Assert.Equal(1, b.Misses);
        Assert.Equal(1, ct.Misses);
        Assert.Equal(3, Directory.GetFiles(cacheFolder).Length);

        // Rewriting the source (new mtime and size) changes the fingerprint.
        var before = a.Fingerprint(c);
        SyntheticCases.Write(c.ImagePaths[0], Ramp().Select(v => v * 2).ToArray(), 12, 10, 8);
        File.SetLastWriteTimeUtc(c.ImagePaths[0], DateTime.UtcNow.AddMinutes(1));
        Assert.NotEqual(before, a.Fingerprint(c));
        using (a.Open(c))
        {
        }

        Assert.Equal(2, a.Misses);
        Assert.Empty(Directory.GetFiles(cacheFolder, "*.tmp"));
    }

    [Fact]
    public void MemoryMappedReadEqualsThePreprocessedTensors()
    {
        using var folder = new TemporaryFolder();
        var c = SyntheticCases.WritePair(folder.Path, "b", "mm", Label, 12, 10, 8, Ramp(), [0.8, 0.9, 2.0]);
        var catalog = SyntheticCases.Catalog();
        var options = new PreprocessingOptions { TargetSpacing = [1.5, 1.5, 1.5] };
        using var expected = CasePreprocessor.Run(c, catalog["b"], options);
        var cache = new PreprocessingCache(folder.File("cache"), catalog, options);
        using var mapped = cache.Open(c);
        using var image = mapped.ReadImage();
        using var label = mapped.ReadLabel();
        Assert.True(TensorEquality.Same(expected.Image, image), "image differs");
        Assert.True(TensorEquality.Same(expected.Label, label), "label differs");
        Assert.Equal(ScalarType.Float32, image.dtype);
        Assert.Equal(ScalarType.Byte, label.dtype);
        // 12·0.8/1.5 = 6.4 → 6, 10·0.9/1.5 = 6, 8·2/1.5 = 10.67 → 11 (i, j, k); tensor [C, D, H, W].
        Assert.Equal([1, 11, 6, 6], mapped.Shape);
        Assert.Equal(0.0, image.mean().ToDouble(), 4);

        // A patch that runs past every border is zero-padded and otherwise equals the tensor slice.
        var start = new[] { -2, 3, -1 };
        var size = new[] { 5, 6, 4 };
        var patch = new float[5 * 6 * 4];
        var patchLabel = new byte[5 * 6 * 4];
        mapped.ReadPatch(start, size, patch, patchLabel);
        using var padded = nn.functional.pad(image, [1, 0, 0, 3, 2, 0]);
        using var slice = padded[0, TensorIndex.Slice(0, 5), TensorIndex.Slice(3, 9), TensorIndex.Slice(0, 4)].contiguous();
        Assert.Equal(slice.data<float>().ToArray(), patch);
        using var paddedLabel = nn.functional.pad(label, [1, 0, 0, 3, 2, 0]);
        using var labelSlice = paddedLabel[TensorIndex.Slice(0, 5), TensorIndex.Slice(3, 9), TensorIndex.Slice(0, 4)].contiguous();
        Assert.Equal(labelSlice.data<byte>().ToArray(), patchLabel);

        // Stored foreground positions point at voxels of their value; counts match the map.
        foreach (var (value, count) in mapped.VoxelCounts)
        {
            using var eq = label.eq(value);
            Assert.Equal(eq.sum().ToInt64(), count);
            var locs = mapped.Locations(value).ToArray();
            Assert.Equal(Math.Min(count, 10_000) * 3, locs.Length);
            for (var i = 0; i < locs.Length; i += 3)
            {
                Assert.Equal(value, label[locs[i], locs[i + 1], locs[i + 2]].ToInt32());
            }
        }
    }

    [Fact]
    public void ReorientationIsExactAndKeepsWorldPositions()
    {
        using var folder = new TemporaryFolder();
        // An LPI-oriented grid: i → left, j → posterior, k → inferior.
        double[,] lpi = { { -1, 0, 0 }, { 0, -1, 0 }, { 0, 0, -1 } };
        var image = Ramp();
        var img = SyntheticCases.Write(folder.File("imagesTr/o.nii.gz"), image, 12, 10, 8, [1.0, 2.0, 3.0], lpi);
        var lab = SyntheticCases.Write(folder.File("labelsTr/o.nii.gz"), Label, 12, 10, 8, [1.0, 2.0, 3.0], lpi);
        var c = new CaseReference("a", "o", [img], lab);
        using var r = CasePreprocessor.Run(c, SyntheticCases.Catalog()["a"], SyntheticCases.Raw);
        Assert.True(r.Geometry.Orientation.IsCanonical);
        Assert.Equal([12, 10, 8], r.Geometry.Shape);
        Assert.Equal([1.0, 2.0, 3.0], r.Geometry.Spacing);

        var original = Hermes.Volumes.VolumeGeometry.Create([12, 10, 8], [1.0, 2.0, 3.0], [10.0, -20.0, 30.0], lpi);
        foreach (var (i, j, k) in new[] { (0, 0, 0), (11, 9, 7), (3, 4, 5), (7, 1, 6) })
        {
            var (x, y, z) = original.IndexToWorld(i, j, k);
            var (ni, nj, nk) = r.Geometry.WorldToIndex(x, y, z);
            var (ii, jj, kk) = ((int)Math.Round(ni), (int)Math.Round(nj), (int)Math.Round(nk));
            Assert.Equal(image[(((k * 10) + j) * 12) + i], r.Image[0, kk, jj, ii].ToSingle());
            Assert.Equal(Label[(((k * 10) + j) * 12) + i], r.Label[kk, jj, ii].ToByte());
        }
    }

    [Fact]
    public void ResamplingIsTrilinearForImagesAndNearestForLabels()
    {
        using var folder = new TemporaryFolder();
        // A linear ramp along i is reproduced exactly by trilinear resampling from 3 mm to 1.5 mm.
        var ramp = SyntheticCases.Label(6, 4, 4, (z, y, x) => x).Select(v => (float)v * 3).ToArray();
        var label = SyntheticCases.Label(6, 4, 4, (z, y, x) => x >= 3 ? 1 : 0);
        var img = SyntheticCases.Write(folder.File("imagesTr/r.nii.gz"), ramp, 6, 4, 4, [3.0, 3.0, 3.0]);
        var lab = SyntheticCases.Write(folder.File("labelsTr/r.nii.gz"), label, 6, 4, 4, [3.0, 3.0, 3.0]);
        var options = SyntheticCases.Raw with { TargetSpacing = [1.5, 1.5, 1.5] };
        using var r = CasePreprocessor.Run(new CaseReference("a", "r", [img], lab), SyntheticCases.Catalog()["a"], options);
        Assert.Equal([12, 8, 8], r.Geometry.Shape);
        Assert.Equal([1.5, 1.5, 1.5], r.Geometry.Spacing);
        // The grid centre is kept: new voxel m sits at native index −0.25 + 0.5·m (origin 10 − 0.25·3 mm).
        Assert.Equal(10.0 - 0.75, r.Geometry.Origin[0], 9);
        for (var m = 1; m < 11; m++)
        {
            Assert.Equal(3 * (-0.25 + (0.5 * m)), r.Image[0, 2, 3, m].ToDouble(), 4);
        }

        Assert.Equal(0.0, r.Image[0, 2, 3, 0].ToDouble(), 4); // before the first native centre: border value
        Assert.Equal(15.0, r.Image[0, 2, 3, 11].ToDouble(), 4); // past the last native centre: border value
        using var unique = r.Label.unique().Item1;
        Assert.Equal([0, 1], unique.data<byte>().ToArray());
        Assert.Equal(0, r.Label[0, 0, 5].ToByte()); // m = 5 ↦ native 2.25 → 0
        Assert.Equal(1, r.Label[0, 0, 6].ToByte()); // m = 6 ↦ native 2.75 → 1
    }
}
