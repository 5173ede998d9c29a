using Hermes.Abstractions;
using Hermes.Priors.Fusion;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Priors.Tests;

/// <summary>Per-sample prior selection: task rows then modality tokens, with −1 mapped explicitly to the last rows (§3, §14.1–2).</summary>
public sealed class PriorSelectionTests
{
    [Fact]
    public void SelectsTaskRowsThenModalityTokensWithNegativeOneMappedToTheLastRows()
    {
        using var pool = new PriorPool(dim: 5, taskCount: 6, modalityCount: 3, tokensPerModality: 4);
        using var scope = NewDisposeScope();
        var taskTable = pool.get_parameter("task_prior")!;
        var modalityTable = pool.get_parameter("modality_prior")!;
        Assert.Equal(new long[] { 7, 5 }, taskTable.shape);
        Assert.Equal(new long[] { 3, 4, 5 }, modalityTable.shape);

        var tasks = tensor(new long[] { 0, 4, -1, 3, -1, -1 }, [2, 3]);
        var modalities = tensor(new long[] { 1, -1 }, [2, 1]);
        var priors = pool.Select(new PriorRequest(tasks, modalities));

        Assert.Equal(new long[] { 2, 3 + 4, 5 }, priors.shape);
        Assert.True(priors[0, 0].equal(taskTable[0]).all().item<bool>());
        Assert.True(priors[0, 1].equal(taskTable[4]).all().item<bool>());
        Assert.True(priors[0, 2].equal(taskTable[6]).all().item<bool>(), "−1 must select the null row (row tn).");
        Assert.True(priors[1, 0].equal(taskTable[3]).all().item<bool>());
        Assert.True(priors[0, TensorIndex.Slice(3, 7)].equal(modalityTable[1]).all().item<bool>());
        Assert.True(priors[1, TensorIndex.Slice(3, 7)].equal(modalityTable[2]).all().item<bool>(), "Modality −1 must select the last modality.");
    }

    [Fact]
    public void TablesAreXavierUniform()
    {
        using var pool = new PriorPool(dim: 128, taskCount: 72, modalityCount: 6, tokensPerModality: 10);
        using var scope = NewDisposeScope();
        var task = pool.get_parameter("task_prior")!;
        var modality = pool.get_parameter("modality_prior")!;
        var taskBound = Math.Sqrt(6.0 / (128 + 73));
        var modalityBound = Math.Sqrt(6.0 / (10 * 128 + 6 * 128));
        Assert.InRange(task.abs().max().item<float>(), 0.9 * taskBound, taskBound * (1 + 1e-6));
        Assert.InRange(modality.abs().max().item<float>(), 0.9 * modalityBound, modalityBound * (1 + 1e-6));
        Assert.InRange(task.std().item<float>(), 0.9 * taskBound / Math.Sqrt(3), 1.1 * taskBound / Math.Sqrt(3));
    }
}
