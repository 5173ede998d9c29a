using System.CommandLine;
using System.Globalization;
using Hermes.IO;

namespace Hermes.Cli;

/// <summary>
/// The reader options of the commands that read volumes (<c>predict</c>, <c>evaluate</c>, <c>info</c>), as flags:
/// <c>--max-voxels</c>, <c>--series</c>, <c>--slice-spacing-tolerance</c> and <c>--allow-data-file-outside-header-folder</c>
/// (<see cref="VolumeReadOptions"/>). <see cref="Explain"/> rewrites a reader's message so that it names the flag a user can
/// type instead of the library option. Each command makes its own instance (an option belongs to one command).
/// </summary>
internal sealed class VolumeReadArguments
{
    private static readonly (string LibraryName, string Flag)[] Names =
    [
        ($"{nameof(VolumeReadOptions)}.{nameof(VolumeReadOptions.MaxVoxels)}", "--max-voxels"),
        ($"{nameof(VolumeReadOptions)}.{nameof(VolumeReadOptions.SeriesInstanceUid)}", "--series"),
        ($"{nameof(VolumeReadOptions)}.{nameof(VolumeReadOptions.SliceSpacingTolerance)}", "--slice-spacing-tolerance"),
        ($"{nameof(VolumeReadOptions)}.{nameof(VolumeReadOptions.AllowDataFileOutsideHeaderFolder)}", "--allow-data-file-outside-header-folder"),
    ];

    private readonly Option<long?> maxVoxels = new("--max-voxels")
    {
        Description = $"Largest voxel count (all channels) a volume's header may claim; larger ones are refused before anything is allocated (default {VolumeReadOptions.DefaultMaxVoxels.ToString(CultureInfo.InvariantCulture)}).",
    };

    private readonly Option<string?> series = new("--series")
    {
        Description = "DICOM: the SeriesInstanceUID to read when a folder holds several series.",
    };

    private readonly Option<double?> sliceSpacingTolerance = new("--slice-spacing-tolerance")
    {
        Description = "DICOM: largest relative deviation of a slice gap from the mean gap, in [0, 1] (default 0.01).",
    };

    private readonly Option<bool> allowOutside = new("--allow-data-file-outside-header-folder")
    {
        Description = "Detached NRRD/MetaImage headers: read a data file outside the header's folder (absolute path, '..', link out); refused by default.",
    };

    /// <summary>The flags, to add to a command.</summary>
    public IEnumerable<Option> All => [maxVoxels, series, sliceSpacingTolerance, allowOutside];

    /// <summary>
    /// Rewrites the library option names in a reader's message as the flags above (<c>set VolumeReadOptions.X</c> becomes
    /// <c>pass --x</c>).
    /// </summary>
    /// <param name="message">The message.</param>
    /// <returns>The message a user of the tool reads.</returns>
    public static string Explain(string message)
    {
        ArgumentNullException.ThrowIfNull(message);
        foreach (var (libraryName, flag) in Names)
        {
            message = message.Replace($"set {libraryName} to", $"pass {flag} to", StringComparison.Ordinal)
                .Replace(libraryName, flag, StringComparison.Ordinal);
        }

        return message;
    }

    /// <summary>The reader options the command line asks for, or <see langword="null"/> with <paramref name="error"/> naming the flag.</summary>
    /// <param name="parse">The parse result.</param>
    /// <param name="error">Why the flags are invalid.</param>
    /// <returns>The options.</returns>
    public VolumeReadOptions? Read(ParseResult parse, out string? error)
    {
        error = null;
        var options = new VolumeReadOptions
        {
            MaxVoxels = parse.GetValue(maxVoxels) ?? VolumeReadOptions.DefaultMaxVoxels,
            SeriesInstanceUid = parse.GetValue(series),
            SliceSpacingTolerance = parse.GetValue(sliceSpacingTolerance) ?? new VolumeReadOptions().SliceSpacingTolerance,
            AllowDataFileOutsideHeaderFolder = parse.GetValue(allowOutside),
        };
        if (options.MaxVoxels <= 0)
        {
            error = string.Create(CultureInfo.InvariantCulture, $"--max-voxels {options.MaxVoxels} is invalid: expected a positive voxel count.");
        }
        else if (!(options.SliceSpacingTolerance is >= 0 and <= 1))
        {
            error = string.Create(CultureInfo.InvariantCulture, $"--slice-spacing-tolerance {options.SliceSpacingTolerance} is invalid: expected a fraction in [0, 1] (0.01 = 1 %).");
        }
        else if (options.SeriesInstanceUid is { } uid && (uid.Length == 0 || uid.Length > 64 || uid.Any(c => c is not (>= '0' and <= '9') and not '.')))
        {
            error = $"--series '{uid}' is invalid: expected a DICOM UID (digits and dots, at most 64 characters).";
        }

        return error is null ? options : null;
    }
}
