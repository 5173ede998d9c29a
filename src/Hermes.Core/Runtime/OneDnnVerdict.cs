using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Hermes.Runtime;

/// <summary>
/// A recorded result of <see cref="Conv3dSelfCheck.Sweep"/> run <em>without</em> the oneDNN ISA cap on one machine: whether
/// oneDNN's AVX-512 float32 <c>conv3d</c> kernels are correct on this CPU with this LibTorch. A passing verdict that matches
/// the running CPU and TorchSharp build lets <see cref="OneDnnGuardMode.Auto"/> leave the cap off (docs/troubleshooting.md).
/// </summary>
/// <param name="Passed">Whether every float32 result of the uncapped sweep agreed with float64.</param>
/// <param name="CpuSignature">The <see cref="CpuInfo.Signature"/> of the machine that ran the sweep.</param>
/// <param name="TorchSharpVersion">The TorchSharp assembly version (which fixes the bundled LibTorch and oneDNN).</param>
/// <param name="CheckedUtc">When the sweep ran.</param>
/// <param name="Comparisons">How many float32 results were compared.</param>
/// <param name="WorstRelativeError">The largest relative error seen (∞ for NaN).</param>
/// <param name="ThreadCounts">The thread counts the sweep ran at.</param>
/// <param name="Failures">The results outside the tolerance.</param>
public sealed record OneDnnVerdict(
    [property: JsonPropertyName("passed")] bool Passed,
    [property: JsonPropertyName("cpu_signature")] string CpuSignature,
    [property: JsonPropertyName("torchsharp_version")] string TorchSharpVersion,
    [property: JsonPropertyName("checked_utc")] DateTimeOffset CheckedUtc,
    [property: JsonPropertyName("comparisons")] int Comparisons,
    [property: JsonPropertyName("worst_relative_error")] double WorstRelativeError,
    [property: JsonPropertyName("thread_counts")] IReadOnlyList<int> ThreadCounts,
    [property: JsonPropertyName("failures")] IReadOnlyList<string> Failures)
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The version of the TorchSharp assembly this process uses (read without loading LibTorch).</summary>
    public static string CurrentTorchSharpVersion { get; } =
        typeof(TorchSharp.torch).Assembly.GetName().Version?.ToString() ?? "unknown";

    /// <summary>Records an uncapped sweep as a verdict for the running CPU and TorchSharp build.</summary>
    /// <param name="sweep">A sweep that ran with no ISA cap.</param>
    /// <param name="checkedUtc">When it ran.</param>
    /// <exception cref="ArgumentException">The sweep ran under an ISA cap, so it says nothing about the AVX-512 kernels.</exception>
    public static OneDnnVerdict FromUncappedSweep(Conv3dSweepResult sweep, DateTimeOffset checkedUtc)
    {
        ArgumentNullException.ThrowIfNull(sweep);
        if (sweep.IsaCap is not null)
        {
            throw new ArgumentException(
                $"The sweep ran with {OneDnnGuard.IsaVariable}={sweep.IsaCap}; a verdict needs a sweep without the cap ({OneDnnGuard.ModeVariable}=off).",
                nameof(sweep));
        }

        return new OneDnnVerdict(sweep.Passed, CpuInfo.Current.Signature, CurrentTorchSharpVersion, checkedUtc, sweep.Comparisons,
            sweep.WorstRelativeError, sweep.ThreadCounts, sweep.Failures);
    }

    /// <summary>Whether this verdict was taken on <paramref name="cpu"/> with <paramref name="torchSharpVersion"/>.</summary>
    /// <param name="cpu">The CPU.</param>
    /// <param name="torchSharpVersion">The TorchSharp version.</param>
    public bool AppliesTo(CpuInfo cpu, string torchSharpVersion)
    {
        ArgumentNullException.ThrowIfNull(cpu);
        return cpu.Signature.Length > 0 &&
            string.Equals(CpuSignature, cpu.Signature, StringComparison.Ordinal) &&
            string.Equals(TorchSharpVersion, torchSharpVersion, StringComparison.Ordinal);
    }

    /// <summary>The verdict as JSON (the file format of <see cref="OneDnnVerdictStore"/>).</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);

    /// <summary>Reads a verdict from JSON.</summary>
    /// <param name="json">The text.</param>
    /// <param name="source">Where it came from, for the error message.</param>
    /// <exception cref="FormatException">The text is not a complete verdict.</exception>
    public static OneDnnVerdict FromJson(string json, string source)
    {
        OneDnnVerdict? verdict;
        try
        {
            verdict = JsonSerializer.Deserialize<OneDnnVerdict>(json, Json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"{source}: not a oneDNN verdict ({e.Message}).", e);
        }

        if (verdict is null || string.IsNullOrEmpty(verdict.CpuSignature) || string.IsNullOrEmpty(verdict.TorchSharpVersion) ||
            verdict.ThreadCounts is null || verdict.Failures is null || verdict.Comparisons <= 0)
        {
            throw new FormatException($"{source}: incomplete oneDNN verdict (needs passed, cpu_signature, torchsharp_version, comparisons > 0, thread_counts, failures).");
        }

        return verdict;
    }

    /// <inheritdoc />
    public override string ToString() => string.Create(CultureInfo.InvariantCulture,
        $"{(Passed ? "passed" : "FAILED")} on {CheckedUtc:yyyy-MM-dd} ({Comparisons} comparisons, worst relative error {WorstRelativeError:G3}, TorchSharp {TorchSharpVersion})");
}
