using System.Runtime.CompilerServices;
using Hermes.Data;
using Hermes.Training;

namespace Hermes.Experiments;

/// <summary>
/// Serves the batches of a <see cref="TrainingBatchSource"/> built on the consuming (training) thread, with that thread's
/// LibTorch settings: on this 2-core CPU, batches built on thread-pool threads with the default thread count preceded
/// intermittent NaN logits (docs/training.md, "Threads and determinism"); built inline, runs are bit-reproducible.
/// </summary>
/// <param name="source">The batch source (batch n depends only on its seed and n).</param>
public sealed class InlineBatchSource(TrainingBatchSource source) : IBatchSource
{
    /// <summary>Builds one batch on the calling thread.</summary>
    /// <param name="index">The batch (step) index.</param>
    /// <returns>The batch (dispose it).</returns>
    public TrainingBatch GetBatch(long index) => source.GetBatch(index);

    /// <inheritdoc />
    public async IAsyncEnumerable<TrainingBatch> ReadAsync(long firstStep, [EnumeratorCancellation] CancellationToken cancellationToken)
    {
        for (var i = firstStep; !cancellationToken.IsCancellationRequested; i++)
        {
            yield return source.GetBatch(i);
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }
}
