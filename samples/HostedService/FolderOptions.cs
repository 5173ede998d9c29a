namespace Hermes.Samples.HostedService;

/// <summary>Where volumes arrive and where label maps go (section "Folders").</summary>
public sealed class FolderOptions
{
    public const string SectionName = "Folders";

    public string Input { get; set; } = "inbox";

    public string Output { get; set; } = "outbox";

    public string Modality { get; set; } = "CT";

    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);
}
