using System.Diagnostics;
using System.Text.Json;
using Hermes.Testing;

namespace Hermes.Cli.Tests;

/// <summary>
/// <c>hermes info &lt;file&gt; --json</c>, run as a process: the stable JSON keys, with values checked against numbers
/// computed independently (nibabel's rules by hand in Python) for the same files.
/// </summary>
public sealed class InfoCommandTests
{
    [SkippableFact]
    public void JsonOfABigEndianNiftiHasTheContractKeysAndValues()
    {
        var data = SharedAssets.RequireData();
        using var doc = Run(Path.Combine(data, "nifti_edge_cases", "nibabel", "anatomical.nii"), out var code);
        Assert.Equal(0, code);
        var root = doc.RootElement;
        Assert.Equal("NIfTI-1", root.GetProperty("format").GetString());
        Assert.Equal("int16", root.GetProperty("datatype").GetString());
        Assert.Equal([33, 41, 25], root.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        Assert.Equal([2.0, 2.0, 2.0], root.GetProperty("spacing").EnumerateArray().Select(e => e.GetDouble()));
        double[][] affine = [[-2, 0, 0, 32], [0, 2, 0, -40], [0, 0, 2, -16], [0, 0, 0, 1]];
        var rows = root.GetProperty("affine").EnumerateArray().Select(r => r.EnumerateArray().Select(e => e.GetDouble()).ToArray()).ToArray();
        Assert.Equal(affine, rows);
        Assert.Equal("LAS", root.GetProperty("orientation").GetString());
        Assert.Equal(-610, root.GetProperty("min").GetDouble());
        Assert.Equal(30393, root.GetProperty("max").GetDouble());
        Assert.Equal(284166082.0 / (33 * 41 * 25), root.GetProperty("mean").GetDouble(), 6);
        Assert.True(root.GetProperty("std").GetDouble() > 0);
        Assert.True(root.GetProperty("unique_count").GetInt64() > 256);
        Assert.Equal(256, root.GetProperty("unique_values").GetArrayLength());
    }

    [SkippableFact]
    public void JsonReportsScaledStatisticsAndIgnoresNaNs()
    {
        var data = SharedAssets.RequireData();
        using (var doc = Run(Path.Combine(data, "nifti_edge_cases", "nibabel", "functional.nii"), out _))
        {
            var root = doc.RootElement;
            Assert.Equal([17, 21, 3, 20], root.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
            Assert.Equal(3637.408513675239, root.GetProperty("mean").GetDouble(), 2);
            Assert.Equal("int16", root.GetProperty("datatype").GetString());
        }

        using (var doc = Run(Path.Combine(data, "nifti_edge_cases", "nibabel", "resampled_anat_moved.nii"), out _))
        {
            var root = doc.RootElement;
            Assert.Equal(153, root.GetProperty("nan_count").GetInt64());
            Assert.Equal(7749957.09866333 / ((17 * 21 * 3) - 153), root.GetProperty("mean").GetDouble(), 3);
        }
    }

    [SkippableFact]
    public void DicomFolderAndErrorsAreReported()
    {
        var data = SharedAssets.RequireData();
        using (var doc = Run(Path.Combine(data, "ct_head_dicom", "dicom", "CT_head"), out var code))
        {
            Assert.Equal(0, code);
            Assert.Equal("DICOM", doc.RootElement.GetProperty("format").GetString());
            Assert.Equal([64, 64, 93], doc.RootElement.GetProperty("shape").EnumerateArray().Select(e => e.GetInt32()));
        }

        using (var doc = Run(Path.Combine(data, "totalsegmentator_examples", "dicom", "example_ct_dicom"), out var code))
        {
            Assert.Equal(1, code);
            Assert.Equal("NotSupportedException", doc.RootElement.GetProperty("error").GetString());
            Assert.Contains("1.2.840.10008.1.2.4.90", doc.RootElement.GetProperty("message").GetString(), StringComparison.Ordinal);
        }
    }

    private static JsonDocument Run(string path, out int exitCode)
    {
        (exitCode, var output, var error) = HermesProcess.Run(TimeSpan.FromMinutes(2), "info", path, "--json");
        Assert.True(output.TrimStart().StartsWith('{'), $"stdout: {output}\nstderr: {error}");
        return JsonDocument.Parse(output);
    }
}
