using System.CommandLine;
using System.Globalization;
using Hermes.IO;
using Hermes.Volumes;

namespace Hermes.Cli;

/// <summary>
/// The reader options of the commands that read volumes (<c>predict</c>, <c>evaluate</c>, <c>info</c>), as flags:
/// <c>--max-voxels</c>, <c>--series</c>, <c>--slice-spacing-tolerance</c> and <c>--allow-data-file-outside-header-folder</c>
/// (<see cref="VolumeReadOptions"/>). <see cref="Explain(Exception)"/> renders a reader's failure so that it names the flag a user can
/// type instead of the library option. Each command makes its own instance (an option belongs to one command).
/// </summary>
internal sealed class VolumeReadArguments
{
    private readonly Option<long?> maxVoxels = new(FlagOf(VolumeReadSetting.MaxVoxels))
    {
        Description = $"Largest voxel count (all channels) a volume's header may claim; larger ones are refused before anything is allocated (default {VolumeReadOptions.DefaultMaxVoxels.ToString(CultureInfo.InvariantCulture)}).",
    };

    private readonly Option<string?> series = new(FlagOf(VolumeReadSetting.SeriesInstanceUid))
    {
        Description = "DICOM: the SeriesInstanceUID to read when a folder holds several series.",
    };

    private readonly Option<double?> sliceSpacingTolerance = new(FlagOf(VolumeReadSetting.SliceSpacingTolerance))
    {
        Description = "DICOM: largest relative deviation of a slice gap from the mean gap, in [0, 1] (default 0.01).",
    };

    private readonly Option<bool> allowOutside = new(FlagOf(VolumeReadSetting.AllowDataFileOutsideHeaderFolder))
    {
        Description = "Detached NRRD/MetaImage headers: read a data file outside the header's folder (absolute path, '..', link out); refused by default.",
    };

    /// <summary>The flags, to add to a command.</summary>
    public IEnumerable<Option> All => [maxVoxels, series, sliceSpacingTolerance, allowOutside];

    /// <summary>
    /// A reader failure's message for the command line: where the exception names the reader setting that would accept
    /// the input (<see cref="VolumeFormatException.Setting"/>), the library's name for it becomes this command's flag
    /// (<c>set VolumeReadOptions.X to</c> becomes <c>pass --x to</c>); other messages are returned as they are.
    /// </summary>
    /// <param name="error">The failure.</param>
    /// <returns>The message.</returns>
    public static string Explain(Exception error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error is VolumeFormatException { Setting: { } setting } ? InFlags(error.Message, setting) : error.Message;
    }

    /// <summary>A reader failure's <see cref="VolumeFormatException.Expected"/> text, with the setting named as the flag.</summary>
    /// <param name="error">The failure.</param>
    /// <returns>The text.</returns>
    public static string ExplainExpected(VolumeFormatException error)
    {
        ArgumentNullException.ThrowIfNull(error);
        return error.Setting is { } setting ? InFlags(error.Expected, setting) : error.Expected;
    }

    /// <summary>The flag that sets <paramref name="setting"/> (every setting has one).</summary>
    /// <param name="setting">The reader setting.</param>
    /// <returns>The flag, e.g. <c>--max-voxels</c>.</returns>
    public static string FlagOf(VolumeReadSetting setting) => setting switch
    {
        VolumeReadSetting.MaxVoxels => "--max-voxels",
        VolumeReadSetting.SeriesInstanceUid => "--series",
        VolumeReadSetting.SliceSpacingTolerance => "--slice-spacing-tolerance",
        VolumeReadSetting.AllowDataFileOutsideHeaderFolder => "--allow-data-file-outside-header-folder",
        _ => throw new ArgumentOutOfRangeException(nameof(setting), setting, "A reader setting without a flag."),
    };

    private static string InFlags(string text, VolumeReadSetting setting)
    {
        var name = VolumeFormatException.SettingName(setting);
        return text.Replace($"set {name} to", $"pass {FlagOf(setting)} to", StringComparison.Ordinal).Replace(name, FlagOf(setting), StringComparison.Ordinal);
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
