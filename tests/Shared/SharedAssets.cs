namespace Hermes.Testing;

/// <summary>
/// Locates <c>../shared</c> (real data and parity fixtures beside the checkout). Tests that need it skip with a clear
/// message when it is absent, as in a user's fresh clone.
/// </summary>
internal static class SharedAssets
{
    /// <summary>The repository root (the folder holding Hermes.Core.sln).</summary>
    public static string RepositoryRoot { get; } = FindRepositoryRoot();

    /// <summary>The shared folder beside the checkout, or <see langword="null"/>.</summary>
    public static string? SharedRoot
    {
        get
        {
            var dir = Path.GetFullPath(Path.Combine(RepositoryRoot, "..", "shared"));
            return Directory.Exists(dir) ? dir : null;
        }
    }

    /// <summary>The fixture root: <c>HERMES_FIXTURES</c> when set, else <c>../shared/fixtures</c>; <see langword="null"/> when absent.</summary>
    public static string? FixturesRoot
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("HERMES_FIXTURES");
            if (!string.IsNullOrWhiteSpace(env))
            {
                return Directory.Exists(env) ? Path.GetFullPath(env) : null;
            }

            return SharedRoot is { } s && Directory.Exists(Path.Combine(s, "fixtures")) ? Path.Combine(s, "fixtures") : null;
        }
    }

    /// <summary>The real-data root <c>../shared/data</c>, or <see langword="null"/>.</summary>
    public static string? DataRoot => SharedRoot is { } s && Directory.Exists(Path.Combine(s, "data")) ? Path.Combine(s, "data") : null;

    /// <summary>Returns the fixture root or skips the test with a message saying what is missing.</summary>
    public static string RequireFixtures()
    {
        Skip.If(FixturesRoot is null,
            "Parity fixtures not found: set HERMES_FIXTURES or place the shared folder beside the checkout (../shared/fixtures).");
        return FixturesRoot!;
    }

    /// <summary>Returns a fixture directory or skips the test.</summary>
    public static string RequireFixture(string name)
    {
        var dir = Path.Combine(RequireFixtures(), name);
        Skip.IfNot(Directory.Exists(dir), $"Fixture '{name}' not found under {FixturesRoot}.");
        return dir;
    }

    /// <summary>Returns the real-data root or skips the test with a message saying what is missing.</summary>
    public static string RequireData()
    {
        Skip.If(DataRoot is null, "Real data not found: place the shared folder beside the checkout (../shared/data).");
        return DataRoot!;
    }

    private static string FindRepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "Hermes.Core.sln")))
            {
                return dir.FullName;
            }
        }

        return Directory.GetCurrentDirectory();
    }
}
