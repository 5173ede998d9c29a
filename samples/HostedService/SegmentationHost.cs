using Hermes.Backbones.DependencyInjection;
using Hermes.DependencyInjection;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Hermes.Samples.HostedService;

/// <summary>The generic host: Hermes from the "Hermes" section of appsettings.json (validated at start), plus the folder watcher.</summary>
public static class SegmentationHost
{
    public static IHost Create(string[] args, Action<IConfigurationBuilder>? configure = null)
    {
        var builder = Host.CreateApplicationBuilder(args);
        configure?.Invoke(builder.Configuration);
        builder.Services.AddHermes(builder.Configuration).UseResUNet();
        builder.Services.Configure<FolderOptions>(builder.Configuration.GetSection(FolderOptions.SectionName));
        builder.Services.AddHostedService<FolderSegmentationService>();
        return builder.Build();
    }
}
