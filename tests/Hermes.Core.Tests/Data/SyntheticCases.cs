using Hermes.Checkpoints;
using Hermes.Data;
using Hermes.IO;
using Hermes.Volumes;
using TorchSharp;
using static TorchSharp.torch;
using Hermes.Preprocessing;

namespace Hermes.Core.Tests.Data;

/// <summary>Writes small synthetic image/label NIfTI pairs for data-pipeline tests.</summary>
internal static class SyntheticCases
{
    /// <summary>Preprocessing that keeps voxels as they are (no resampling, no normalisation): image values survive exactly.</summary>
    public static PreprocessingOptions Raw { get; } = new()
    {
        TargetSpacing = null,
        Normalization = new Dictionary<string, IntensityNormalization>(),
        DefaultNormalization = new IntensityNormalization(IntensityClipMode.None, 0, 0, ZScore: false),
    };

    /// <summary>Writes a volume from a row-major <c>[D, H, W]</c> array (i fastest).</summary>
    public static string Write<T>(string path, T[] voxels, int w, int h, int d, double[]? spacing = null, double[,]? direction = null)
        where T : unmanaged
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var geometry = VolumeGeometry.Create([w, h, d], spacing ?? [1.0, 1.0, 1.0], [10.0, -20.0, 30.0], direction);
        using var v = Volume.FromArray(voxels, geometry);
        VolumeIO.Write(v, path);
        return path;
    }

    /// <summary>A label map <c>[D, H, W]</c> filled by a function of (d, h, w).</summary>
    public static byte[] Label(int w, int h, int d, Func<int, int, int, int> value)
    {
        var a = new byte[w * h * d];
        for (var z = 0; z < d; z++)
        {
            for (var y = 0; y < h; y++)
            {
                for (var x = 0; x < w; x++)
                {
                    a[(((z * h) + y) * w) + x] = (byte)value(z, y, x);
                }
            }
        }

        return a;
    }

    /// <summary>An image whose voxel equals 10 × its label value (so masks can be checked against image values after cropping).</summary>
    public static float[] ImageFromLabel(byte[] label) => [.. label.Select(v => 10f * v)];

    /// <summary>Writes a case <c>name</c> into <c>folder/imagesTr</c> and <c>folder/labelsTr</c>.</summary>
    public static CaseReference WritePair(string folder, string dataset, string name, byte[] label, int w, int h, int d, float[]? image = null, double[]? spacing = null)
    {
        var img = Write(Path.Combine(folder, "imagesTr", name + ".nii.gz"), image ?? ImageFromLabel(label), w, h, d, spacing);
        var lab = Write(Path.Combine(folder, "labelsTr", name + ".nii.gz"), label, w, h, d, spacing);
        return new CaseReference(dataset, name, [img], lab);
    }

    /// <summary>A catalog with synthetic datasets <c>a</c> (values 1, 2; weight 1), <c>b</c> (values 1, 2, 3; weight 2) and <c>c</c> (value 1; weight 1, T2).</summary>
    public static TaskCatalog Catalog()
    {
        var catalog = new TaskCatalog();
        catalog.Vocabulary.AddModality("CT");
        catalog.Vocabulary.AddModality("T2-MRI");
        catalog.Add(new DatasetDeclaration { Name = "a", Modalities = ["CT"], Labels = [new(1, "a/one"), new(2, "a/two")], SampleWeight = 1 });
        catalog.Add(new DatasetDeclaration { Name = "b", Modalities = ["CT"], Labels = [new(1, "b/one"), new(2, "b/two"), new(3, "b/three")], SampleWeight = 2 });
        catalog.Add(new DatasetDeclaration { Name = "c", Modalities = ["T2-MRI"], Labels = [new(1, "c/one")], SampleWeight = 1 });
        return catalog;
    }

}
