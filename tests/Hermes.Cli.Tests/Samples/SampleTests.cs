using Hermes.Samples.CustomBackbone;
using Hermes.Samples.HostedService;
using Hermes.Samples.Quickstart;
using Hermes.Samples.WeightImport;
using Hermes.Testing;
using Hermes.IO;
using Hermes.Volumes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Hosting;
using static TorchSharp.torch;

namespace Hermes.Cli.Tests.Samples;

/// <summary>
/// The samples run with tiny settings: Quickstart trains and predicts; CustomBackbone's user-written backbone trains with
/// the stock priors (loss falls); HostedService segments a file dropped into its folder; WeightImport loads the reference
/// PyTorch checkpoint and predicts.
/// </summary>
public sealed class SampleTests
{
    [Fact]
    public async Task QuickstartComposesTrainsAndPredicts()
    {
        var dice = await QuickstartSample.RunAsync(steps: 4);
        Assert.InRange(dice, 0.0, 1.0);
    }

    [Fact]
    public void CustomBackboneTrainsWithTheStockPriors()
    {
        var losses = CustomBackboneSample.Train(steps: 25);
        Assert.Equal(25, losses.Count);
        var late = losses.TakeLast(5).Average();
        Assert.True(late < 0.75 * losses[0], $"loss went from {losses[0]:F4} to a last-5 mean of {late:F4}");
    }

    [Fact]
    public async Task HostedServiceSegmentsAFileDroppedIntoItsFolder()
    {
        var dir = Directory.CreateTempSubdirectory("hermes-hosted-test").FullName;
        try
        {
            var inbox = Path.Combine(dir, "inbox");
            var outbox = Path.Combine(dir, "outbox");
            Directory.CreateDirectory(inbox);
            var geometry = VolumeGeometry.Create([32, 24, 16], [1.5, 1.5, 2.0]);
            using (var volume = new Volume(randn(16, 24, 32), geometry))
            {
                VolumeIO.Write(volume, Path.Combine(inbox, "case.nii.gz"));
            }

            using var host = SegmentationHost.Create([], c => c.AddInMemoryCollection(new Dictionary<string, string?>
            {
                ["Hermes:BaseChannels"] = "2",
                ["Hermes:Tasks:0"] = "amos/liver",
                ["Hermes:Tasks:1"] = "amos/spleen",
                ["Hermes:PatchSize:0"] = "32",
                ["Hermes:PatchSize:1"] = "32",
                ["Hermes:PatchSize:2"] = "32",
                ["Folders:Input"] = inbox,
                ["Folders:Output"] = outbox,
                ["Folders:PollInterval"] = "00:00:00.100",
            }));
            await host.StartAsync();
            var target = Path.Combine(outbox, "case.nii.gz");
            var deadline = DateTime.UtcNow.AddMinutes(2);
            while (!File.Exists(target) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(200);
            }

            await host.StopAsync();
            Assert.True(File.Exists(target), "no label map was written");
            using var labels = VolumeIO.Read(target);
            Assert.True(labels.Geometry.IsSameGrid(geometry));
            Assert.True(labels.Data.max().item<short>() <= 2);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    [SkippableFact]
    public void WeightImportLoadsTheReferenceCheckpointAndPredicts()
    {
        var fixture = SharedAssets.RequireFixture("hermes_r_small");
        var result = WeightImportSample.Run(Path.Combine(fixture, "config.json"), Path.Combine(fixture, "checkpoint.pth"), "ema_model_state_dict");
        Assert.True(result.Loaded > 100, $"only {result.Loaded} tensors loaded");
        Assert.Equal(new long[] { 1, 2, 32, 32, 32 }, result.Shape);
    }
}
