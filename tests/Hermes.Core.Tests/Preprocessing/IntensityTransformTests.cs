using Hermes.Core.Tests.IO;
using Hermes.IO;
using Hermes.Preprocessing;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Core.Tests.Preprocessing;

/// <summary>Per-modality intensity normalisation on real CT and MR volumes.</summary>
public sealed class IntensityTransformTests
{
    [SkippableFact]
    public void CtIsClippedToTheWindowThenZScored()
    {
        using var ct = VolumeIO.Read(SharedData.Path("totalsegmentator_examples", "imagesTr", "example_ct_sm.nii.gz"));
        using var n = IntensityTransforms.CtWindowZScore(ct.Data, -1000, 1000);
        using var mean = n.to(ScalarType.Float64).mean();
        using var std = n.to(ScalarType.Float64).std();
        Assert.Equal(0, mean.item<double>(), 5);
        Assert.Equal(1, std.item<double>(), 4);

        // Values beyond the window collapse onto the window edges.
        using var clipped = ct.Data.to(ScalarType.Float64).clamp(-1000, 1000);
        using var lo = clipped.eq(-1000).sum();
        using var nmin = n.min();
        using var atMin = n.eq(nmin).sum();
        Assert.Equal(lo.item<long>(), atMin.item<long>());
    }

    [SkippableFact]
    public void MrForegroundZScoreLeavesBackgroundAtZero()
    {
        using var mr = VolumeIO.Read(SharedData.Path("upenn_gbm", "imagesTr", "UPENN-GBM-00002_t2.nii.gz"));
        using var n = IntensityTransforms.ForModality(mr.Data, "MR");
        using var fg = mr.Data.ne(0);
        using var inside = n.masked_select(fg).to(ScalarType.Float64);
        using var m = inside.mean();
        using var s = inside.std();
        Assert.Equal(0, m.item<double>(), 5);
        Assert.Equal(1, s.item<double>(), 4);
        using var outside = n.masked_select(fg.logical_not()).abs().max();
        Assert.Equal(0, outside.item<float>());
    }

    [Fact]
    public void PercentilesFollowNumpyLinearInterpolation()
    {
        using var x = torch.tensor(new double[] { 10, 0, 30, 20, 40, 50, 60, 70, 80, 90, 100 });
        var (lo, hi) = IntensityTransforms.Percentiles(x, 5, 99.5);

        // numpy.percentile([0..100 step 10], [5, 99.5]) = [5.0, 99.5]
        Assert.Equal(5.0, lo, 12);
        Assert.Equal(99.5, hi, 12);
        using var clipped = IntensityTransforms.PercentileClip(x, 5, 99.5);
        Assert.Equal(5.0, clipped.min().item<double>(), 12);
        Assert.Equal(99.5, clipped.max().item<double>(), 12);
    }
}
