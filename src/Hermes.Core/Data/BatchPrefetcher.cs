using System.Threading.Channels;
using Hermes.Training;

namespace Hermes.Data;

/// <summary>
/// Builds batches on a background task into a bounded channel so that the training loop finds the next batch ready.
/// Batches arrive in index order. A failure in the producer surfaces at the next read. Disposing stops the producer and
/// disposes the batches not taken.
/// </summary>
public sealed class BatchPrefetcher : IDisposable, IAsyncDisposable
{
    private readonly Channel<TrainingBatch> channel;
    private readonly CancellationTokenSource stop;
    private readonly Task producer;
    private long nextIndex;

    internal BatchPrefetcher(Func<long, TrainingBatch> produce, long firstIndex, int capacity, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(produce);
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        nextIndex = firstIndex;
        channel = Channel.CreateBounded<TrainingBatch>(new BoundedChannelOptions(capacity) { SingleReader = true, SingleWriter = true, FullMode = BoundedChannelFullMode.Wait });
        stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var token = stop.Token;
        producer = Task.Run(async () =>
        {
            try
            {
                for (var i = firstIndex; !token.IsCancellationRequested; i++)
                {
                    var batch = produce(i);
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
                channel.Writer.TryComplete(ex);
            }
        }, CancellationToken.None);
    }

    /// <summary>The index of the batch the next read returns.</summary>
    public long NextIndex => Interlocked.Read(ref nextIndex);

    /// <summary>Waits for the next batch.</summary>
    /// <param name="cancellationToken">Cancels the wait.</param>
    /// <returns>The batch (the caller owns it).</returns>
    /// <exception cref="OperationCanceledException">The prefetcher was stopped.</exception>
    public async ValueTask<TrainingBatch> NextAsync(CancellationToken cancellationToken = default)
    {
        try
        {
            var batch = await channel.Reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref nextIndex);
            return batch;
        }
        catch (ChannelClosedException ex) when (ex.InnerException is not null)
        {
            throw new InvalidOperationException($"Building batch {NextIndex} failed: {ex.InnerException.Message}", ex.InnerException);
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
}
