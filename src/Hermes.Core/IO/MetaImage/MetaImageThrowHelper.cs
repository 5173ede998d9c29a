using Hermes.Volumes;

namespace Hermes.IO.MetaImage;

/// <summary>Precise MetaImage errors naming the file, the tag, the value and what was expected.</summary>
internal static class MetaImageThrowHelper
{
    public static VolumeFormatException Invalid(string file, string tag, string value, string expected) => new(file, tag, value, expected);

    public static VolumeFormatException Missing(string file, string tag) => new(file, tag, "missing", $"a \"{tag} = …\" line in the MetaImage header");

    public static NotSupportedException Unsupported(string file, string tag, string value) => new($"{file}: MetaImage {tag} = {value} is not supported.");
}
