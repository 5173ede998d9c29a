using TorchSharp;

namespace Hermes.Cli;

/// <summary>
/// The <c>--device</c> value of a command: <c>cpu</c>, <c>cuda</c> or <c>cuda:N</c>, checked against what this installation
/// can run before a model is loaded, so a wrong value fails with one line naming the flag, the value and the choices.
/// </summary>
internal static class DeviceArgument
{
    /// <summary>Parses <paramref name="value"/>.</summary>
    /// <param name="value">The flag's value.</param>
    /// <returns>The device.</returns>
    /// <exception cref="ArgumentException">Not a device name, or a CUDA device this installation cannot use.</exception>
    public static torch.Device Parse(string value)
    {
        var text = value.Trim().ToLowerInvariant();
        if (text == "cpu")
        {
            return torch.CPU;
        }

        var index = 0;
        if (!(text == "cuda" || (text.StartsWith("cuda:", StringComparison.Ordinal) &&
                                 int.TryParse(text.AsSpan(5), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out index))))
        {
            throw new ArgumentException($"--device {value}: expected cpu, cuda or cuda:N.");
        }

        if (!torch.cuda.is_available())
        {
            throw new ArgumentException($"--device {value}: CUDA is not available here (no CUDA build of LibTorch or no GPU); use --device cpu.");
        }

        var count = torch.cuda.device_count();
        return index < count
            ? torch.device(DeviceType.CUDA, index)
            : throw new ArgumentException($"--device {value}: this machine has {count} CUDA device(s), cuda:0 to cuda:{count - 1}.");
    }
}
