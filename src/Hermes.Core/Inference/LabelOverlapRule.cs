namespace Hermes.Inference;

/// <summary>Which task a voxel gets in a label map when several tasks' probabilities pass the threshold.</summary>
public enum LabelOverlapRule
{
    /// <summary>The task with the highest probability (the earlier task on an exact tie).</summary>
    HighestProbability,

    /// <summary>The earliest task in the task list (a fixed priority order).</summary>
    TaskOrder,
}
