namespace Hermes.Experiments;

/// <summary>A label value of a dataset and the global task it stands for (datasets that name the same task share its prior).</summary>
/// <param name="Value">The value in the dataset's label maps (1–255).</param>
/// <param name="Task">The global task name, e.g. <c>hippocampus/anterior</c>.</param>
public sealed record LabelTask(int Value, string Task);
