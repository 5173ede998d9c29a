using System.Diagnostics;
using Hermes.IO;
using Hermes.Volumes;
using TorchSharp;

namespace Hermes.Core.Tests.IO;

/// <summary>
/// Random byte flips and truncations over real headers (fixed seed, a few thousand cases, bounded time): every reader
/// either returns a volume or raises a documented exception — never a crash, a hang or a huge allocation.
/// </summary>
public sealed class VolumeReaderFuzzTests
{
    private const int CasesPerSource = 400;

    [SkippableFact]
    public void MutatedFilesReadOrFailWithDocumentedExceptions()
    {
        using var folder = new TemporaryFolder();
        var sources = Sources(folder);
        // Fixed seed for CI; HERMES_FUZZ_SEED explores other cases locally.
        var seed = int.TryParse(Environment.GetEnvironmentVariable("HERMES_FUZZ_SEED"), out var s) ? s : 20241129;
        var random = new Random(seed);
        var outcomes = new Dictionary<string, int>();
        var clock = Stopwatch.StartNew();
        var cases = 0;
        foreach (var (name, original) in sources)
        {
            for (var n = 0; n < CasesPerSource; n++)
            {
                var bytes = Mutate(original, random, headerBytes: Math.Min(original.Length, 700));
                var dir = Path.Combine(folder.Path, $"case{cases}");
                Directory.CreateDirectory(dir);
                var path = Path.Combine(dir, name);
                File.WriteAllBytes(path, bytes);
                var one = Stopwatch.StartNew();
                try
                {
                    using var v = VolumeIO.Read(name.EndsWith(".dcm", StringComparison.Ordinal) ? dir : path, new VolumeReadOptions { MaxVoxels = 1L << 26 });
                    Assert.True(v.Geometry.VoxelCount > 0);
                    Count(outcomes, "read");
                }
                catch (VolumeFormatException e)
                {
                    Assert.False(string.IsNullOrEmpty(e.Field));
                    Assert.Contains(name.EndsWith(".dcm", StringComparison.Ordinal) ? $"case{cases}" : name, e.Message, StringComparison.Ordinal);
                    Count(outcomes, "VolumeFormatException");
                }
                catch (NotSupportedException e)
                {
                    Assert.Contains(name, e.Message, StringComparison.Ordinal);
                    Count(outcomes, "NotSupportedException");
                }
                catch (FileNotFoundException)
                {
                    Count(outcomes, "FileNotFoundException");
                }
                catch (Exception e)
                {
                    Assert.Fail($"seed {seed}, case {cases} ({name}): undocumented {e.GetType().Name}: {e.Message}\n{e.StackTrace}");
                }

                Assert.True(one.Elapsed < TimeSpan.FromSeconds(5), $"case {cases} ({name}) took {one.Elapsed}");
                Directory.Delete(dir, recursive: true);
                cases++;
            }
        }

        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(90), $"fuzzing took {clock.Elapsed}");
        Assert.True(outcomes.GetValueOrDefault("VolumeFormatException") > cases / 10, string.Join(", ", outcomes));
        Assert.True(outcomes.GetValueOrDefault("read") > 0, string.Join(", ", outcomes));
        Assert.Equal(sources.Count * CasesPerSource, cases);
    }

    private static void Count(Dictionary<string, int> d, string key) => d[key] = d.GetValueOrDefault(key) + 1;

    private static byte[] Mutate(byte[] original, Random random, int headerBytes)
    {
        var bytes = (byte[])original.Clone();
        switch (random.Next(4))
        {
            case 0:
                return bytes[..random.Next(bytes.Length)];
            case 1:
                for (var i = random.Next(1, 4); i > 0; i--)
                {
                    bytes[random.Next(headerBytes)] ^= (byte)(1 << random.Next(8));
                }

                return bytes;
            case 2:
                for (var i = random.Next(1, 9); i > 0; i--)
                {
                    bytes[random.Next(headerBytes)] = (byte)random.Next(256);
                }

                return bytes;
            default:
                bytes[random.Next(bytes.Length)] = (byte)random.Next(256);
                var cut = random.Next(bytes.Length / 2, bytes.Length + 1);
                return bytes[..cut];
        }
    }

    private static List<(string Name, byte[] Bytes)> Sources(TemporaryFolder folder)
    {
        var list = new List<(string, byte[])>
        {
            ("anatomical.nii", File.ReadAllBytes(SharedData.Path("nifti_edge_cases", "nibabel", "anatomical.nii"))),
            ("standard.nii.gz", File.ReadAllBytes(SharedData.Path("nifti_edge_cases", "nibabel", "standard.nii.gz"))),
            ("example_nifti2.nii.gz", File.ReadAllBytes(SharedData.Path("nifti_edge_cases", "nibabel", "example_nifti2.nii.gz"))),
            ("slice.dcm", File.ReadAllBytes(SharedData.Path("nifti_edge_cases", "dicom_monai_ct", "7106"))),
        };

        // Small NRRD and MetaImage files written from a real volume, so their headers are realistic.
        using var v = VolumeIO.Read(SharedData.Path("nifti_edge_cases", "nibabel", "standard.nii.gz"));
        foreach (var name in new[] { "small.nrrd", "small.mha" })
        {
            var p = folder.File(name);
            VolumeIO.Write(v, p, new VolumeWriteOptions { Compression = name.EndsWith("nrrd", StringComparison.Ordinal) ? System.IO.Compression.CompressionLevel.Fastest : System.IO.Compression.CompressionLevel.NoCompression });
            list.Add((name, File.ReadAllBytes(p)));
        }

        return list;
    }
}
