using System.Globalization;

namespace Hermes.Training;

/// <summary>The one range check of the training options' <c>Validate()</c> methods: the message names type, option, value and what is allowed.</summary>
internal static class OptionCheck
{
    /// <summary>Throws when <paramref name="ok"/> is false.</summary>
    /// <param name="owner">The options type, e.g. <c>LambOptions</c>.</param>
    /// <param name="ok">Whether the value is allowed.</param>
    /// <param name="name">The option.</param>
    /// <param name="value">Its value.</param>
    /// <param name="expected">What is allowed, e.g. <c>in [0, 1)</c>.</param>
    /// <exception cref="ArgumentOutOfRangeException">The value is not allowed.</exception>
    public static void Require(string owner, bool ok, string name, double value, string expected)
    {
        if (!ok)
        {
            throw new ArgumentOutOfRangeException(name, value, string.Create(CultureInfo.InvariantCulture, $"{owner}.{name} = {value} must be {expected}."));
        }
    }
}
