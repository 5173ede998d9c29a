using Hermes.Volumes;

namespace Hermes.IO.Nrrd;

/// <summary>Precise NRRD errors naming the file, the field, the value and what was expected.</summary>
internal static class NrrdThrowHelper
{
    public static VolumeFormatException Invalid(string file, string field, string value, string expected) => new(file, field, value, expected);

    public static VolumeFormatException Missing(string file, string field) => new(file, field, "missing", $"a \"{field}:\" line in the NRRD header");

    public static NotSupportedException Unsupported(string file, string field, string value) =>
        new($"{file}: NRRD {field} \"{value}\" is not supported.");
}
