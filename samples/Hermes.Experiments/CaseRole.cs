namespace Hermes.Experiments;

/// <summary>The role of a case in an experiment's split.</summary>
public enum CaseRole
{
    /// <summary>Trained on only.</summary>
    Training,

    /// <summary>Held out: never trained on, scored.</summary>
    Validation,

    /// <summary>Trained on and scored (a dataset with no case to hold out): measures fitting, not generalisation.</summary>
    TrainingScored,
}
