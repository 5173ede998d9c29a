using Hermes.Abstractions;
using Hermes.Backbones;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Backbones.Tests;

/// <summary>Bad model input fails before any computation with an exception that names the problem and the valid range.</summary>
public sealed class ModelInputValidationTests : IDisposable
{
    private readonly UniversalSegmenter resUNet = HermesR.Create(new HermesROptions
    {
        Backbone = new ResUNetOptions { BaseChannels = 4 },
        TaskCount = 6,
        ModalityCount = 2,
    });

    private readonly UniversalSegmenter medFormer = HermesM.Create(new HermesMOptions
    {
        Backbone = SmallBackbones.MedFormer(),
        TaskCount = 6,
        ModalityCount = 2,
    });

    private static Tensor Tasks(params long[] ids) => tensor(ids, [1, ids.Length]);

    private static Tensor Modality(long id) => tensor(new[] { id }, [1, 1]);

    [Fact]
    public void WrongChannelCountIsNamed()
    {
        using var x = zeros([1, 2, 32, 32, 32]);
        var e = Assert.Throws<ArgumentException>(() => resUNet.forward(x, Tasks(0, -1), Modality(0)));
        Assert.Contains("2 channel(s)", e.Message);
        Assert.Contains("expects 1", e.Message);
    }

    [Fact]
    public void NonVolumetricInputIsNamed()
    {
        using var x = zeros([1, 1, 32, 32]);
        var e = Assert.Throws<ArgumentException>(() => resUNet.forward(x, Tasks(0), Modality(0)));
        Assert.Contains("5-D", e.Message);
    }

    [Theory]
    [InlineData(16, 16, 16, "single voxel")]
    [InlineData(8, 64, 64, "≥ 16")]
    public void ResUNetRejectsSizesItsBottleneckCannotHold(int d, int h, int w, string expected)
    {
        using var x = zeros([1, 1, d, h, w]);
        var e = Assert.Throws<ArgumentException>(() => resUNet.forward(x, Tasks(0), Modality(0)));
        Assert.Contains(expected, e.Message);
    }

    [Theory]
    [InlineData(40, 32, 32)]
    [InlineData(32, 32, 24)]
    public void MedFormerRejectsSizesNotDivisibleBy16(int d, int h, int w)
    {
        using var x = zeros([1, 1, d, h, w]);
        var e = Assert.Throws<ArgumentException>(() => medFormer.forward(x, Tasks(0), Modality(0)));
        Assert.Contains("multiple of 16", e.Message);
        Assert.Contains($"({d}, {h}, {w})", e.Message);
    }

    [Theory]
    [InlineData(6L)]
    [InlineData(-2L)]
    [InlineData(100L)]
    public void TaskIndexOutOfRangeIsNamed(long id)
    {
        using var x = zeros([1, 1, 32, 32, 32]);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => resUNet.forward(x, Tasks(0, id), Modality(0)));
        Assert.Contains($"Task index {id}", e.Message);
        Assert.Contains("0 … 5", e.Message);
    }

    [Theory]
    [InlineData(2L)]
    [InlineData(-3L)]
    public void ModalityIndexOutOfRangeIsNamed(long id)
    {
        using var x = zeros([1, 1, 32, 32, 32]);
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => medFormer.forward(x, Tasks(0), Modality(id)));
        Assert.Contains($"Modality index {id}", e.Message);
        Assert.Contains("0 … 1", e.Message);
    }

    [Fact]
    public void IndexShapeAndTypeMismatchesAreNamed()
    {
        using var x = zeros([2, 1, 32, 32, 32]);
        var batch = Assert.Throws<ArgumentException>(() => resUNet.forward(x, Tasks(0, 1), tensor(new long[] { 0, 0 }, [2, 1])));
        Assert.Contains("[B=2, T]", batch.Message);
        var dtype = Assert.Throws<ArgumentException>(() =>
            resUNet.forward(x, tensor(new int[] { 0, 1 }, [2, 1]), tensor(new long[] { 0, 0 }, [2, 1])));
        Assert.Contains("Int32", dtype.Message);
    }

    public void Dispose()
    {
        resUNet.Dispose();
        medFormer.Dispose();
    }
}
