namespace Hermes.Data;

/// <summary>Splits volume file names into a case name and an extension (<c>.nii.gz</c> counts as one extension).</summary>
internal static class VolumeFileName
{
    private static readonly string[] Extensions = [".nii.gz", ".nii", ".nrrd", ".nhdr", ".mha", ".mhd"];

    public static bool IsVolume(string path) => Extensions.Any(e => path.EndsWith(e, StringComparison.OrdinalIgnoreCase));

    public static string Stem(string path)
    {
        var name = Path.GetFileName(path);
        var ext = Extensions.FirstOrDefault(e => name.EndsWith(e, StringComparison.OrdinalIgnoreCase));
        return ext is null ? Path.GetFileNameWithoutExtension(name) : name[..^ext.Length];
    }

    public static string Extension(string path)
    {
        var name = Path.GetFileName(path);
        return Extensions.FirstOrDefault(e => name.EndsWith(e, StringComparison.OrdinalIgnoreCase)) ?? Path.GetExtension(name);
    }
}
