using System.Globalization;
using Hermes.Volumes;

namespace Hermes.IO.Nifti;

/// <summary>Precise NIfTI errors: every message names the file, the header field, the value and what was expected.</summary>
internal static class NiftiThrowHelper
{
    public static VolumeFormatException Invalid(string file, string field, object value, string expected) =>
        new(file, field, Convert.ToString(value, CultureInfo.InvariantCulture) ?? "null", expected);

    public static VolumeFormatException Truncated(string file, int got, int needed) =>
        new(file, "header", $"{got} bytes", $"at least {needed} bytes (file truncated)");

    public static NotSupportedException UnsupportedDataType(string file, int code) =>
        new($"{file}: NIfTI datatype {code} ({NiftiDataType.Describe(code)}) is not supported; supported: uint8, int8, int16, uint16, int32, uint32, int64, uint64, float32, float64.");
}
