using System.Globalization;
using System.IO.Compression;
using System.Text;
using Hermes.Volumes;
using static TorchSharp.torch;

namespace Hermes.IO.Nrrd;

/// <summary>
/// Writes NRRD (<c>NRRD0004</c>, space <c>left-posterior-superior</c>, little-endian, gzip encoding unless
/// <see cref="VolumeWriteOptions.Compression"/> is <see cref="CompressionLevel.NoCompression"/>). <c>.nrrd</c> holds
/// the data; <c>.nhdr</c> points to a detached <c>.raw.gz</c>/<c>.raw</c> beside it. Channels are the last axis.
/// </summary>
public sealed class NrrdWriter : IVolumeWriter
{
    /// <inheritdoc />
    public void Write(Volume volume, string path, VolumeWriteOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(volume);
        ArgumentNullException.ThrowIfNull(path);
        options ??= new VolumeWriteOptions();
        var type = VoxelTypeSelection.Choose(volume, options);
        var gzip = options.Compression != CompressionLevel.NoCompression;
        var detached = path.EndsWith(".nhdr", StringComparison.OrdinalIgnoreCase);
        var dataName = Path.GetFileNameWithoutExtension(path) + (gzip ? ".raw.gz" : ".raw");
        var header = Header(volume, type, gzip, detached ? dataName : null);
        using var scope = NewDisposeScope();
        var data = VoxelTypeSelection.ToDiskLayout(volume.Data, type);
        var dataPath = detached ? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path)) ?? ".", dataName) : null;
        DetachedDataFile.Write(path, dataPath, _ => header, file =>
        {
            if (gzip)
            {
                using var output = new GZipStream(file, options.Compression, leaveOpen: true);
                TensorBytes.ForEachChunk(data, span => output.Write(span));
            }
            else
            {
                TensorBytes.ForEachChunk(data, span => file.Write(span));
            }
        });
    }

    private static byte[] Header(Volume volume, VoxelType type, bool gzip, string? dataFile)
    {
        var g = volume.Geometry;
        var lps = g.LpsAffine;
        var channels = volume.Channels;
        var sb = new StringBuilder();
        sb.Append("NRRD0004\n# Written by Hermes.NET\n");
        sb.Append("type: ").Append(TypeName(type)).Append('\n');
        sb.Append("dimension: ").Append(channels > 1 ? 4 : 3).Append('\n');
        sb.Append("space: left-posterior-superior\n");
        sb.Append(CultureInfo.InvariantCulture, $"sizes: {g.Shape[0]} {g.Shape[1]} {g.Shape[2]}{(channels > 1 ? $" {channels}" : "")}\n");
        sb.Append("space directions:");
        for (var c = 0; c < 3; c++)
        {
            sb.Append(CultureInfo.InvariantCulture, $" ({R(lps[0, c])},{R(lps[1, c])},{R(lps[2, c])})");
        }

        sb.Append(channels > 1 ? " none\n" : "\n");
        sb.Append(channels > 1 ? "kinds: domain domain domain list\n" : "kinds: domain domain domain\n");
        sb.Append("endian: little\n");
        sb.Append("encoding: ").Append(gzip ? "gzip" : "raw").Append('\n');
        sb.Append(CultureInfo.InvariantCulture, $"space origin: ({R(lps[0, 3])},{R(lps[1, 3])},{R(lps[2, 3])})\n");
        if (dataFile is not null)
        {
            sb.Append("data file: ").Append(dataFile).Append('\n');
        }

        sb.Append('\n');
        return Encoding.ASCII.GetBytes(sb.ToString());
    }

    private static string R(double v) => v.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>The NRRD type name: the voxel type's name, except that NRRD spells the floating-point types <c>float</c> and <c>double</c>.</summary>
    private static string TypeName(VoxelType t) => t switch
    {
        VoxelType.Float32 => "float",
        VoxelType.Float64 => "double",
        _ => t.Name(),
    };
}
