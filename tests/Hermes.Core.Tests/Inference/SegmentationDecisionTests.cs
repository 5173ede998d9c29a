using Hermes.Inference;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Core.Tests.Inference;

public class SegmentationDecisionTests
{
    [Fact]
    public void ThresholdIsStrictlyGreaterThanTheThresholdPerTask()
    {
        using var p = tensor(new[] { 0.2f, 0.5f, 0.50001f, 0.9f, 0.7f, 0.1f }).reshape(2, 1, 1, 3);

        using var masks = SegmentationDecision.Threshold(p);

        Assert.Equal(ScalarType.Byte, masks.dtype);
        Assert.Equal(new byte[] { 0, 0, 1, 1, 1, 0 }, masks.data<byte>().ToArray());
        using var strict = SegmentationDecision.Threshold(p, 0.8);
        Assert.Equal(new byte[] { 0, 0, 0, 1, 0, 0 }, strict.data<byte>().ToArray());
    }

    [Theory]
    [InlineData(LabelOverlapRule.HighestProbability)]
    [InlineData(LabelOverlapRule.TaskOrder)]
    public void LabelMapFollowsTheOverlapRuleInEveryVoxel(LabelOverlapRule rule)
    {
        const int tasks = 3, d = 37, h = 5, w = 4; // 37 slices: three slabs, the last one partial
        int[] labels = [7, 2, 300];
        using var p = rand([tasks, d, h, w], generator: new Generator(11));
        var values = p.data<float>().ToArray();

        using var map = SegmentationDecision.ToLabelMap(p, labels, 0.5, rule);

        Assert.Equal(ScalarType.Int16, map.dtype);
        Assert.Equal(new long[] { d, h, w }, map.shape);
        var actual = map.data<short>().ToArray();
        var voxels = d * h * w;
        var overlaps = 0;
        for (var i = 0; i < voxels; i++)
        {
            var chosen = -1;
            var above = 0;
            for (var t = 0; t < tasks; t++)
            {
                var v = values[(t * voxels) + i];
                if (v <= 0.5f)
                {
                    continue;
                }

                above++;
                if (chosen < 0 || (rule == LabelOverlapRule.HighestProbability && v > values[(chosen * voxels) + i]))
                {
                    chosen = t;
                }
            }

            overlaps += above > 1 ? 1 : 0;
            Assert.Equal(chosen < 0 ? 0 : labels[chosen], actual[i]);
        }

        Assert.True(overlaps > 50, "the test needs voxels where tasks overlap");
    }

    [Fact]
    public void InvalidLabelsAreRejectedWithTheirValues()
    {
        using var p = zeros(2, 3, 3, 3);
        Assert.Contains("1 label value(s) given for 2", Assert.Throws<ArgumentException>(() => SegmentationDecision.ToLabelMap(p, [1])).Message, StringComparison.Ordinal);
        Assert.Contains("[0, 1]", Assert.Throws<ArgumentException>(() => SegmentationDecision.ToLabelMap(p, [0, 1])).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => SegmentationDecision.ToLabelMap(p, [4, 4]));
        Assert.Throws<ArgumentOutOfRangeException>(() => SegmentationDecision.Threshold(p, 1.0));
    }
}
