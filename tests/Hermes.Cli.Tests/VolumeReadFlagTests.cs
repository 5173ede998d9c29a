using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Hermes.Testing;

namespace Hermes.Cli.Tests;

/// <summary>
/// The reader's options as flags of the commands that read volumes (<c>--max-voxels</c>, <c>--series</c>,
/// <c>--slice-spacing-tolerance</c>, <c>--allow-data-file-outside-header-folder</c>): a reader error names the flag the user
/// can type, never the library option; the flag then does what the error says; invalid flag values stop the command
/// before anything is read or written.
/// </summary>
public sealed partial class VolumeReadFlagTests : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);
    private readonly string root = Directory.CreateTempSubdirectory("hermes-read-flags-").FullName;

    public void Dispose() => Directory.Delete(root, recursive: true);

    [Fact]
    public void DetachedDataFileOutsideTheHeaderFolderNamesTheFlag()
    {
        var header = Nrrd(Path.Combine(root, "headers"), "h.nhdr", "../data.raw");
        var (code, stdout, stderr) = HermesProcess.Run(Timeout, "info", header);
        Assert.Equal(1, code);
        Assert.Contains("pass --allow-data-file-outside-header-folder to read it anyway", stderr);
        Assert.DoesNotContain("VolumeReadOptions", stderr + stdout);

        // The machine-readable error says the same.
        (code, stdout, _) = HermesProcess.Run(Timeout, "info", header, "--json");
        Assert.Equal(1, code);
        var error = JsonNode.Parse(stdout)!;
        Assert.Contains("--allow-data-file-outside-header-folder", (string)error["expected"]!);
        Assert.DoesNotContain("VolumeReadOptions", stdout);

        (code, stdout, stderr) = HermesProcess.Run(Timeout, "info", header, "--allow-data-file-outside-header-folder", "--json");
        Assert.True(code == 0, stderr);
        Assert.Equal(8.0, (double)JsonNode.Parse(stdout)!["max"]!);
    }

    [Fact]
    public void VoxelLimitNamesTheFlagAndTheFlagRaisesIt()
    {
        var header = Nrrd(root, "h.nhdr", "data.raw");
        var (code, stdout, stderr) = HermesProcess.Run(Timeout, "info", header, "--max-voxels", "7");
        Assert.Equal(1, code);
        Assert.Contains("at most 7 voxels (--max-voxels)", stderr);
        Assert.DoesNotContain("VolumeReadOptions", stderr + stdout);

        (code, _, stderr) = HermesProcess.Run(Timeout, "info", header, "--max-voxels", "8");
        Assert.True(code == 0, stderr);
    }

    [SkippableFact]
    public void FolderOfTwoDicomSeriesNamesTheSeriesFlagAndItsUids()
    {
        var data = SharedAssets.RequireData();
        var folder = Directory.CreateDirectory(Path.Combine(root, "two-series")).FullName;
        var ct = Directory.GetFiles(Path.Combine(data, "ct_head_dicom", "dicom", "CT_head"));
        var mr = Directory.GetFiles(Path.Combine(data, "prostate_mr", "dicom", "Prostate-MRI-US-Biopsy-0001_T2"));
        foreach (var (files, prefix) in new[] { (ct, "ct"), (mr, "mr") })
        {
            foreach (var f in files)
            {
                File.Copy(f, Path.Combine(folder, $"{prefix}_{Path.GetFileName(f)}"));
            }
        }

        var (code, stdout, stderr) = HermesProcess.Run(Timeout, "info", folder);
        Assert.Equal(1, code);
        Assert.Contains("--series set to one of:", stderr);
        Assert.DoesNotContain("VolumeReadOptions", stderr + stdout);
        var uids = SeriesListing().Matches(stderr).Select(m => (Uid: m.Groups[1].Value, Files: int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture))).ToList();
        Assert.Equal(2, uids.Count);
        var head = Assert.Single(uids, u => u.Files == ct.Length);

        (code, stdout, stderr) = HermesProcess.Run(Timeout, "info", folder, "--series", head.Uid, "--json");
        Assert.True(code == 0, stderr);
        Assert.Equal(ct.Length, (int)JsonNode.Parse(stdout)!["shape"]!.AsArray()[2]!);
    }

    public static TheoryData<string[], string> InvalidFlags => new()
    {
        { ["--max-voxels", "0"], "--max-voxels 0 is invalid: expected a positive voxel count." },
        { ["--slice-spacing-tolerance", "1.5"], "--slice-spacing-tolerance 1.5 is invalid: expected a fraction in [0, 1]" },
        { ["--series", "1.2;rm -rf"], "--series '1.2;rm -rf' is invalid: expected a DICOM UID" },
    };

    [Theory]
    [MemberData(nameof(InvalidFlags))]
    public void InvalidFlagValuesStopEveryReadingCommandFirst(string[] flag, string message)
    {
        var output = Path.Combine(root, "out");
        var commands = new[]
        {
            new[] { "predict", "--model", Path.Combine(root, "no-model.safetensors"), "--input", root, "--tasks", "amos/liver", "--output", output },
            ["evaluate", "--pred", root, "--ref", root, "--labels", Path.Combine(root, "labels.json"), "--out", Path.Combine(output, "report.csv")],
            ["info", Path.Combine(root, "missing.nii.gz")],
        };
        foreach (var command in commands)
        {
            var (code, stdout, stderr) = HermesProcess.Run(Timeout, [.. command, .. flag]);
            Assert.True(code == 2, $"{command[0]}: {code}\n{stdout}\n{stderr}");
            Assert.Equal($"hermes {command[0]}: {message}", stderr.Split('\n')[0][..($"hermes {command[0]}: ".Length + message.Length)]);
            Assert.False(Directory.Exists(output));
        }
    }

    /// <summary>A detached NRRD header of 2×2×2 float voxels 1…8 whose data file is <paramref name="dataFile"/> (relative to it).</summary>
    private string Nrrd(string folder, string name, string dataFile)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllBytes(Path.Combine(root, "data.raw"), [.. Enumerable.Range(1, 8).SelectMany(i => BitConverter.GetBytes((float)i))]);
        var header = Path.Combine(folder, name);
        File.WriteAllText(header, $"NRRD0004\ntype: float\ndimension: 3\nsizes: 2 2 2\nspacings: 1 1 1\nencoding: raw\nendian: little\ndata file: {dataFile}\n");
        return header;
    }

    [GeneratedRegex("""([0-9.]+) \("[^"]*", (\d+) files\)""")]
    private static partial Regex SeriesListing();
}
