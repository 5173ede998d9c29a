using Microsoft.Extensions.Hosting;
using Hermes.Samples.HostedService;

// dotnet run --project samples/HostedService — then drop .nii.gz files into ./inbox; label maps appear in ./outbox.
using var host = SegmentationHost.Create(args);
await host.RunAsync();
