using System.Threading.Channels;

namespace Hermes.Data;

/// <summary>
/// Builds batches on a background task into a bounded channel so that the training loop finds the next batch ready.
/// Batches arrive in index order. A failure in the producer surfaces at the next read as an
/// <see cref="InvalidOperationException"/> naming the batch index and the cause (the original exception is its inner
/// exception). Disposing stops the producer — after the batch it is building, which it then disposes — and disposes the
/// batches not taken.
/// </summary>
/// <remarks>
/// Batches are built on thread-pool threads; each <see cref="TrainingBatch"/> owns its tensors (no dispose scope of the
/// producer's or the reader's thread takes them), and every batch is disposed exactly once: by the reader that takes it,
/// or by the prefetcher when it is not taken. Dispose the prefetcher before the data it reads (for a
/// <see cref="TrainingBatchSource"/>, its <see cref="PreprocessedCase"/>s); a case disposed while the producer reads it
/// makes that batch fail with the case's <see cref="ObjectDisposedException"/> (no crash). Reads and disposal may come from
/// different threads; <see cref="Dispose"/> is idempotent.
/// </remarks>
public sealed class BatchPrefetcher : IDisposable, IAsyncDisposable
{
    private readonly Channel<TrainingBatch> channel;
    private readonly CancellationTokenSource stop;
    private readonly Task producer;
    private long nextIndex;
    private int disposed;

    internal BatchPrefetcher(Func<long, TrainingBatch> produce, long firstIndex, int capacity, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(produce);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        nextIndex = firstIndex;
        // Not SingleReader: disposal drains the channel while a reader may still be waiting on another thread.
        channel = Channel.CreateBounded<TrainingBatch>(new BoundedChannelOptions(capacity) { SingleReader = false, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
        stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var token = stop.Token;
        producer = Task.Run(async () =>
        {
            try
            {
                for (var i = firstIndex; !token.IsCancellationRequested; i++)
                {
                    TrainingBatch batch;
                    try
                    {
                        batch = produce(i);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException || !token.IsCancellationRequested)
                    {
                        throw new BatchFailure(i, ex);
                    }

                    try
                    {
                        await channel.Writer.WriteAsync(batch, token).ConfigureAwait(false);
                    }
                    catch
                    {
                        batch.Dispose();
                        throw;
                    }
                }

                channel.Writer.TryComplete();
            }
            catch (OperationCanceledException)
            {
                channel.Writer.TryComplete();
            }
            catch (Exception ex)
            {
                channel.Writer.TryComplete(ex); // a BatchFailure, or the channel's own failure
            }
        }, CancellationToken.None);
    }

    /// <summary>The index of the batch the next read returns.</summary>
    public long NextIndex => Interlocked.Read(ref nextIndex);

    /// <summary>Waits for the next batch.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The batch (the caller owns it).</returns>
    /// <exception cref="OperationCanceledException">The prefetcher was stopped.</exception>
    /// <exception cref="InvalidOperationException">Building the next batch failed; the message names the batch and the cause.</exception>
    public async ValueTask<TrainingBatch> NextAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var batch = await channel.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref nextIndex);
            return batch;
        }
        catch (ChannelClosedException ex) when (ex.InnerException is BatchFailure failure)
        {
            var cause = failure.InnerException!;
            throw new InvalidOperationException($"Building batch {failure.Index} failed: {cause.GetType().Name}: {cause.Message}", cause);
        }
        catch (ChannelClosedException ex) when (ex.InnerException is not null)
        {
            throw new InvalidOperationException($"Building batch {NextIndex} failed: {ex.InnerException.GetType().Name}: {ex.InnerException.Message}", ex.InnerException);
        }
        catch (ChannelClosedException ex)
        {
            throw new OperationCanceledException("The batch prefetcher was stopped.", ex);
        }
    }

    /// <summary>Blocks until the next batch is ready.</summary>
    /// <returns>The batch (the caller owns it).</returns>
    public TrainingBatch Next() => NextAsync().AsTask().GetAwaiter().GetResult();

    /// <inheritdoc />
    public void Dispose() => DisposeAsync().AsTask().GetAwaiter().GetResult();

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref disposed, 1) != 0)
        {
            return;
        }

        await stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await producer.ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        while (channel.Reader.TryRead(out var batch))
        {
            batch.Dispose();
        }

        stop.Dispose();
    }

    /// <summary>A producer failure with the index of the batch it was building.</summary>
    private sealed class BatchFailure(long index, Exception cause) : Exception($"Building batch {index} failed.", cause)
    {
        public long Index { get; } = index;
    }
}
