namespace Hermes.Data;

/// <summary>
/// Supplies training batches to the <see cref="Training.Trainer"/> (the data pipeline's sampler plugs in here).
/// </summary>
/// <remarks>
/// For resumed runs to reproduce uninterrupted ones, the batch of global step k must depend only on the source's
/// configuration and seed and on k (derive a per-step random generator from (seed, k)), not on how many batches were
/// read before. The trainer reads batches in order and disposes each one after its step; it never reads further than
/// the last step of the run, so a source may prefetch ahead (bounded) and must stop when the token is cancelled.
/// </remarks>
public interface IBatchSource
{
    /// <summary>Streams the batches of steps <paramref name="firstStep"/>, <paramref name="firstStep"/> + 1, … (0-based, global).</summary>
    /// <param name="firstStep">The global step of the first batch.</param>
    /// <param name="cancellationToken">Stops the stream.</param>
    IAsyncEnumerable<TrainingBatch> ReadAsync(long firstStep, CancellationToken cancellationToken);
}
