using Hermes.Abstractions;
using TorchSharp;
using static TorchSharp.torch;

namespace Hermes.Priors.Fusion;

/// <summary>Per-sample selection from a task table and a modality table, with −1 translated explicitly.</summary>
public static class PriorSelection
{
    /// <summary>
    /// Returns <c>[B, T + l, dim]</c>: <c>taskTable[tgt[b]]</c> then <c>modalityTable[mod[b]]</c>, where −1 selects the
    /// last row of each table (the null task token; the unknown modality).
    /// </summary>
    /// <param name="taskTable">Task table <c>[rows, dim]</c>.</param>
    /// <param name="modalityTable">Modality table <c>[mn, l, dim]</c>.</param>
    /// <param name="request">Task indices <c>[B, T]</c> and modality indices <c>[B, 1]</c>.</param>
    public static Tensor Select(Tensor taskTable, Tensor modalityTable, PriorRequest request)
    {
        ArgumentNullException.ThrowIfNull(taskTable);
        ArgumentNullException.ThrowIfNull(modalityTable);
        ArgumentNullException.ThrowIfNull(request);
        using var scope = NewDisposeScope();
        var tgt = request.TaskIndices;
        var mod = request.ModalityIndices;
        var batch = tgt.shape[0];
        var t = tgt.shape[1];
        var dim = taskTable.shape[1];
        var taskRows = where(tgt.lt(0), tgt.add(taskTable.shape[0]), tgt).reshape(-1);
        var modRows = where(mod.lt(0), mod.add(modalityTable.shape[0]), mod).reshape(-1);
        var tasks = taskTable.index_select(0, taskRows).view(batch, t, dim);
        var modalities = modalityTable.index_select(0, modRows);
        return cat([tasks, modalities], 1).MoveToOuterDisposeScope();
    }
}
