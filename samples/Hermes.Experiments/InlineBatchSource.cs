using System.Runtime.CompilerServices;
using Hermes.Data;
using Hermes.Training;

namespace Hermes.Experiments;

/// <summary>
/// Serves the batches of a <see cref="TrainingBatchSource"/> built on the consuming (training) thread, one at a time:
/// the experiments' models read batches by index (the task-specific arm drives its own loop), and batch n depends only on
/// the seed and n, so this gives the same batches as the source's background prefetcher.
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
