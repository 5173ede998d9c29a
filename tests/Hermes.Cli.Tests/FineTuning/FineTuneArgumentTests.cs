namespace Hermes.Cli.Tests.FineTuning;

/// <summary>
/// <c>hermes train</c> refuses fine-tuning options that do not fit together, before reading any data, with exit code 2
/// and a message naming the option.
/// </summary>
public sealed class FineTuneArgumentTests
{
    public static TheoryData<string[], string> InvalidCombinations => new()
    {
        { ["--freeze", "heads"], "--freeze needs --init-from" },
        { ["--backbone-lr-scale", "0.5"], "--backbone-lr-scale needs --init-from" },
        { ["--init-from", "m.safetensors", "--freeze", "everything"], "--freeze 'everything' is not a part to freeze: expected 'backbone'" },
        { ["--init-from", "m.safetensors", "--backbone-lr-scale", "0"], "--backbone-lr-scale 0 is invalid: expected a finite value > 0" },
        { ["--init-from", "m.safetensors", "--backbone-lr-scale", "-1"], "--backbone-lr-scale -1 is invalid" },
        { ["--init-from", "m.safetensors", "--freeze", "heads", "--backbone-lr-scale", "0.5"], "--backbone-lr-scale applies only when the backbone trains; --freeze heads freezes it" },
    };

    [Theory]
    [MemberData(nameof(InvalidCombinations))]
    public void InvalidCombinationsFailNamingTheOption(string[] options, string message)
    {
        var (code, output, error) = HermesProcess.Run(TimeSpan.FromMinutes(1), ["train", "--config", "unused.json", .. options]);
        Assert.True(code == 2, $"exit {code}\n{output}\n{error}");
        Assert.Contains("hermes train: " + message, error, StringComparison.Ordinal);
    }

    [Fact]
    public void AMissingInitFromModelFailsNamingIt()
    {
        var missing = Path.Combine(Path.GetTempPath(), "hermes-no-such-model.safetensors");
        var (code, _, error) = HermesProcess.Run(TimeSpan.FromMinutes(1), "train", "--config", "unused.json", "--init-from", missing, "--freeze", "backbone");
        Assert.Equal(2, code);
        Assert.Contains($"hermes train: --init-from: Model '{missing}' not found.", error, StringComparison.Ordinal);
    }
}
