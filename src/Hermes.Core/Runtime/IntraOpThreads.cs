using TorchSharp;

namespace Hermes.Runtime;

/// <summary>
/// LibTorch's intra-op thread count on the calling OS thread. With LibTorch's OpenMP builds (the CPU packages) the count
/// is per OS thread: <c>torch.set_num_threads</c> changes the calling thread and the default that threads take when they
/// first run a parallel LibTorch operation; threads that ran one before keep theirs. Some CPU kernels split their sums by
/// that count — matrix products with few rows, such as the prior fusion's linear layers on 10–13 prior tokens, and attention
/// over many keys — so the same call rounds differently on threads with different counts: a Hermes-R's window logits
/// measured up to 3.4e-5 apart between one and two threads (<c>ConcurrentPredictionTests</c>).
/// </summary>
/// <remarks>
/// The inference entry points (<see cref="Inference.VolumePredictor"/>, <see cref="Inference.SegmentationPredictor"/>)
/// run each call under <see cref="Use"/> with <see cref="ProcessWide"/>, so a prediction gives the same bits on whichever
/// thread it is made. Code that calls LibTorch directly from several threads can do the same.
/// </remarks>
public static class IntraOpThreads
{
    /// <summary>
    /// The process-wide count: <see cref="HermesRuntimeOptions.Threads"/> as last given to
    /// <see cref="HermesRuntime.EnsureInitialized"/>, else LibTorch's default when the runtime was initialised
    /// (<see cref="RuntimeReport.Threads"/>).
    /// </summary>
    public static int ProcessWide => HermesRuntime.EnsureInitialized().Threads;

    /// <summary>The calling OS thread's count now.</summary>
    public static int Current
    {
        get
        {
            HermesRuntime.EnsureInitialized();
            return torch.get_num_threads();
        }
    }

    /// <summary>
    /// Runs the calling OS thread with <paramref name="threads"/> intra-op threads until the returned scope is disposed, which
    /// restores the thread's previous count. Dispose it on the same thread (a <c>using</c> in synchronous code); scopes nest.
    /// </summary>
    /// <param name="threads">The count; <see langword="null"/> = <see cref="ProcessWide"/>.</param>
    /// <returns>The scope.</returns>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="threads"/> is less than 1.</exception>
    public static IDisposable Use(int? threads = null)
    {
        if (threads is < 1)
        {
            throw new ArgumentOutOfRangeException(nameof(threads), threads, "The intra-op thread count must be at least 1 (or null for the process-wide count).");
        }

        var wanted = threads ?? ProcessWide;

        // get_num_threads first: it completes LibTorch's lazy per-thread initialisation, which would otherwise overwrite the
        // count set here with the process default at the thread's first parallel operation.
        var previous = torch.get_num_threads();
        if (previous == wanted)
        {
            return Unchanged.Instance;
        }

        torch.set_num_threads(wanted);
        return new Restore(previous, Environment.CurrentManagedThreadId);
    }

    private sealed class Unchanged : IDisposable
    {
        public static readonly Unchanged Instance = new();

        public void Dispose()
        {
        }
    }

    private sealed class Restore(int previous, int owner) : IDisposable
    {
        private bool disposed;

        public void Dispose()
        {
            if (disposed)
            {
                return;
            }

            if (Environment.CurrentManagedThreadId != owner)
            {
                throw new InvalidOperationException(
                    $"An intra-op thread count scope opened on managed thread {owner} was disposed on thread {Environment.CurrentManagedThreadId}; the count is per OS thread, so dispose the scope where it was opened.");
            }

            disposed = true;
            torch.set_num_threads(previous);
        }
    }
}
