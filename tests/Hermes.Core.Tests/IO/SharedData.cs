using System.Globalization;
using Hermes.Testing;

namespace Hermes.Core.Tests.IO;

/// <summary>The rows of ../shared/data/manifest.tsv and the NIfTI files under ../shared/data.</summary>
internal static class SharedData
{
    public sealed record Row(string Dataset, string Case, string Modality, IReadOnlyList<string> Images, string Label);

    public static IReadOnlyList<Row> Manifest()
    {
        var root = SharedAssets.RequireData();
        return File.ReadAllLines(System.IO.Path.Combine(root, "manifest.tsv"))
            .Skip(1)
            .Where(l => l.Length > 0)
            .Select(l => l.Split('\t'))
            .Select(c => new Row(c[0], c[1], c[2], c[3].Split(';').Select(p => System.IO.Path.Combine(root, p)).ToList(), System.IO.Path.Combine(root, c[4])))
            .ToList();
    }

    public static IReadOnlyList<string> AllNiftiFiles()
    {
        var root = SharedAssets.RequireData();
        return Directory.EnumerateFiles(root, "*.nii*", SearchOption.AllDirectories)
            .Where(f => f.EndsWith(".nii", StringComparison.Ordinal) || f.EndsWith(".nii.gz", StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .ToList();
    }

    public static string Path(params string[] parts) => System.IO.Path.Combine([SharedAssets.RequireData(), .. parts]);

    public static string Format(double[,] a) => string.Join("; ", Enumerable.Range(0, 3).Select(r => string.Join(", ", Enumerable.Range(0, 4).Select(c => a[r, c].ToString("G9", CultureInfo.InvariantCulture)))));
}
