using System.Globalization;
using System.IO.Compression;
using System.Text;
using Hermes.Volumes;
using Hermes.Runtime;
using static TorchSharp.torch;

namespace Hermes.IO;

/// <summary>
/// Writes NumPy's compressed archive (<c>.npz</c>: a zip of <c>.npy</c> arrays, format 1.0, deflate), which
/// <c>numpy.load</c> reads — the format nnU-Net users keep probabilities in. Written by hand: the served .NET NumPy ports
/// (NumSharp) have no float16 and no <c>.npz</c> writer, and the format is a short header per array. Arrays are little
/// endian, C order; the file is written atomically.
/// </summary>
internal static class NumpyArchive
{
    /// <summary>Writes <paramref name="arrays"/> (tensors of a supported type, or string arrays) to <paramref name="path"/>.</summary>
    /// <param name="path">The <c>.npz</c> file.</param>
    /// <param name="arrays">Name (without <c>.npy</c>) and value: a <see cref="Tensor"/> (float16/32/64, int8–64, uint8, bool) or a <see cref="string"/> array.</param>
    public static void Write(string path, IReadOnlyList<(string Name, object Value)> arrays) => AtomicFile.Write(path, stream =>
    {
        using var zip = new ZipArchive(stream, ZipArchiveMode.Create, leaveOpen: true);
        foreach (var (name, value) in arrays)
        {
            var entry = zip.CreateEntry(name + ".npy", CompressionLevel.Fastest);
            using var output = entry.Open();
            switch (value)
            {
                case Tensor tensor:
                    WriteHeader(output, Descriptor(tensor.dtype), tensor.shape);
                    TensorBytes.Write(output, tensor);
                    break;
                case string[] strings:
                    var width = Math.Max(1, strings.Max(s => s.Length));
                    WriteHeader(output, string.Create(CultureInfo.InvariantCulture, $"<U{width}"), [strings.Length]);
                    foreach (var s in strings)
                    {
                        output.Write(Encoding.UTF32.GetBytes(s.PadRight(width, '\0')));
                    }

                    break;
                default:
                    throw new ArgumentException($"Array '{name}' is a {value?.GetType().Name ?? "null"}; expected a tensor or a string array.", nameof(arrays));
            }
        }
    });

    private static string Descriptor(ScalarType type) => type switch
    {
        ScalarType.Float16 => "<f2",
        ScalarType.Float32 => "<f4",
        ScalarType.Float64 => "<f8",
        ScalarType.Int8 => "|i1",
        ScalarType.Byte => "|u1",
        ScalarType.Bool => "|b1",
        ScalarType.Int16 => "<i2",
        ScalarType.Int32 => "<i4",
        ScalarType.Int64 => "<i8",
        _ => throw new NotSupportedException($"A {type} tensor has no NumPy type written here."),
    };

    /// <summary>The <c>.npy</c> 1.0 header: magic, version, length, and a dict padded with spaces to a multiple of 64 bytes.</summary>
    private static void WriteHeader(Stream output, string descriptor, long[] shape)
    {
        var dims = shape.Length == 1 ? $"{shape[0]}," : string.Join(", ", shape);
        var dict = $"{{'descr': '{descriptor}', 'fortran_order': False, 'shape': ({dims}), }}";
        var length = dict.Length + 1; // + '\n'
        var padded = ((10 + length + 63) / 64 * 64) - 10;
        var header = dict.PadRight(padded - 1) + "\n";
        output.Write([0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y']);
        output.WriteByte(1);
        output.WriteByte(0);
        output.WriteByte((byte)(padded & 0xFF));
        output.WriteByte((byte)(padded >> 8));
        output.Write(Encoding.ASCII.GetBytes(header));
    }
}
