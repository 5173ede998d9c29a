namespace Hermes.Inference;

/// <summary>How window start positions are chosen along each axis.</summary>
public enum WindowStartPolicy
{
    /// <summary>The fewest windows with a step of at most window·(1 − overlap), spread evenly (<see cref="WindowGrid.Starts(int, int, double)"/>).</summary>
    Even,

    /// <summary>
    /// The reference's starts (§11): 0, s, 2s, … for i &lt; ⌊size / s⌋ with s = ⌊window·(1 − overlap)⌋, each start that would
    /// run past the end moved back flush with the border; repeated starts are evaluated once (same average).
    /// </summary>
    Reference,
}
