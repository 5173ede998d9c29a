namespace Hermes.Abstractions;

/// <summary>Where a backbone stage sits in the encoder–decoder hierarchy.</summary>
public enum StageKind
{
    /// <summary>A contracting stage (same or coarser resolution than its input).</summary>
    Encoder,

    /// <summary>An expanding stage (finer resolution than its input).</summary>
    Decoder,
}
