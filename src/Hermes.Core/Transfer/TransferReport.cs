namespace Hermes.Transfer;

/// <summary>What <see cref="ModelTransfer.Initialize"/> copied.</summary>
/// <param name="CopiedTensors">State-dict names copied whole from the pretrained model.</param>
/// <param name="KeptTensors">State-dict names left at the new model's initialisation (prior tables and modality-head class rows: in part, see the matched names).</param>
/// <param name="MatchedTasks">Task names whose prior rows were copied.</param>
/// <param name="MatchedModalities">Modality names whose prior rows were copied.</param>
public sealed record TransferReport(
    IReadOnlyList<string> CopiedTensors,
    IReadOnlyList<string> KeptTensors,
    IReadOnlyList<string> MatchedTasks,
    IReadOnlyList<string> MatchedModalities);
