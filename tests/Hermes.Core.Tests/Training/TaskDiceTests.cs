using Hermes.Training;
using static TorchSharp.torch;

namespace Hermes.Core.Tests.Training;

public sealed class TaskDiceTests
{
    [Fact]
    public void PerTaskDiceSkipsNullColumnsAndCasesWithoutForeground()
    {
        // Two samples, three columns, 4 voxels each. Logit > 0 ⇔ predicted foreground.
        var logits = tensor(new float[]
        {
            1, 1, -1, -1,   1, -1, -1, -1,   1, 1, 1, 1,     // b0: task 0, task 1, null
            1, 1, 1, -1,    -1, -1, -1, -1,  1, 1, 1, 1,     // b1: task 0, task 2 (empty mask), null
        }).reshape(2, 3, 4, 1, 1);
        var labels = tensor(new sbyte[]
        {
            1, 0, 0, 0,     1, 1, 0, 0,      1, 1, 1, 1,
            1, 1, 0, 0,     0, 0, 0, 0,      1, 1, 1, 1,
        }).reshape(2, 3, 4, 1, 1);
        var tasks = tensor(new long[] { 0, 1, -1, 0, 2, -1 }).reshape(2, 3);
        var sums = new Dictionary<long, (double Sum, int Count)>();
        TaskDice.Accumulate(logits, labels, tasks, sums);
        var report = ValidationReport.FromSums(sums);

        double Dice(double tp, double p, double g) => 2 * tp / (p + g + 1e-5);
        Assert.Equal([0L, 1L], report.TaskDice.Keys.ToArray()); // task 2 had no foreground; null columns never count
        Assert.Equal((Dice(1, 2, 1) + Dice(2, 3, 2)) / 2, report.TaskDice[0], 12);
        Assert.Equal(Dice(1, 1, 2), report.TaskDice[1], 12);
        Assert.Equal(2, report.CaseCounts[0]);
        Assert.Equal((report.TaskDice[0] + report.TaskDice[1]) / 2, report.MeanDice, 12);
    }
}
