using Hermes.Runtime;

namespace Hermes.Core.Tests.Runtime;

/// <summary>The allocator setting's default comes from <c>HERMES_RETAIN_FREED_MEMORY</c>, so any Hermes app can opt in without code.</summary>
public sealed class RuntimeOptionsEnvironmentTests
{
    private const string Variable = "HERMES_RETAIN_FREED_MEMORY";

    [Theory]
    [InlineData("1", true)]
    [InlineData("true", true)]
    [InlineData("0", false)]
    [InlineData("yes please", false)]
    [InlineData(null, false)]
    public void RetainFreedMemoryDefaultsFromTheEnvironment(string? value, bool expected)
    {
        var before = Environment.GetEnvironmentVariable(Variable);
        try
        {
            Environment.SetEnvironmentVariable(Variable, value);
            Assert.Equal(expected, new HermesRuntimeOptions().RetainFreedMemory);
            Assert.False(new HermesRuntimeOptions { RetainFreedMemory = false }.RetainFreedMemory);
        }
        finally
        {
            Environment.SetEnvironmentVariable(Variable, before);
        }
    }
}
