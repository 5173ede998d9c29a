namespace Hermes.Data;

/// <summary>One foreground label value of a dataset and the segmentation task (global target) it stands for.</summary>
/// <param name="Value">The label value in the dataset's label maps (1–255; 0 is always background).</param>
/// <param name="Task">The global task name, e.g. <c>amos/liver</c>. Datasets that share a task name share its prior index.</param>
public sealed record LabelDeclaration(int Value, string Task);
