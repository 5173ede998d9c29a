using Hermes.Data;
using Hermes.Training;
using static TorchSharp.torch;

namespace Hermes.Core.Tests.Training;

public sealed class TrainingBatchTests
{
    [Fact]
    public void ConsistentBatchValidates()
    {
        using var batch = Batch(labels: [2, 3, 4, 4, 4], tasks: [2, 3]);
        batch.Validate();
        Assert.Equal(2, batch.Size);
    }

    [Theory]
    [InlineData(new long[] { 2, 3, 4, 4, 5 }, new long[] { 2, 3 }, "Labels")]
    [InlineData(new long[] { 2, 3, 4, 4, 4 }, new long[] { 2, 2 }, "TaskIndices")]
    [InlineData(new long[] { 1, 3, 4, 4, 4 }, new long[] { 2, 3 }, "Labels")]
    public void InconsistentShapesNameTheTensor(long[] labels, long[] tasks, string field)
    {
        using var batch = Batch(labels, tasks);
        var e = Assert.Throws<ArgumentException>(batch.Validate);
        Assert.Contains(field, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void FloatLabelsAreRejected()
    {
        using var batch = new TrainingBatch(zeros([1, 1, 2, 2, 2]), zeros([1, 1, 2, 2, 2]), zeros([1, 1], ScalarType.Int64),
            zeros([1], ScalarType.Int64));
        var e = Assert.Throws<ArgumentException>(batch.Validate);
        Assert.Contains("int8/uint8", e.Message, StringComparison.Ordinal);
    }

    private static TrainingBatch Batch(long[] labels, long[] tasks) => new(
        zeros([2, 1, 4, 4, 4]), zeros(labels, ScalarType.Int8), full(tasks, -1L, ScalarType.Int64), zeros([2], ScalarType.Int64));
}
