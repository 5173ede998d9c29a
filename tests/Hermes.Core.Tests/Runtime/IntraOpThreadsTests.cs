using Hermes.Runtime;
using static TorchSharp.torch;

namespace Hermes.Core.Tests.Runtime;

/// <summary>
/// <see cref="IntraOpThreads.Use"/> runs the calling OS thread with the process-wide LibTorch intra-op count (or a given
/// one), nests, restores the thread's own count when disposed on that thread, and refuses disposal from another thread
/// without losing the restore. Runs on a dedicated thread so that no other test's thread changes count.
/// </summary>
public sealed class IntraOpThreadsTests
{
    [Fact]
    public void UseAppliesTheProcessWideCountOnTheCallingThreadAndRestoresItsOwn()
    {
        var process = IntraOpThreads.ProcessWide;
        var own = process == 1 ? 2 : 1;
        var seen = new List<int>();
        Exception? fromOtherThread = null;
        Exception? failure = null;
        var thread = new Thread(() =>
        {
            try
            {
                set_num_threads(own);
                using (IntraOpThreads.Use())
                {
                    seen.Add(get_num_threads());
                    using (IntraOpThreads.Use(own))
                    {
                        seen.Add(get_num_threads());
                    }

                    seen.Add(get_num_threads());
                }

                seen.Add(get_num_threads());

                var scope = IntraOpThreads.Use();
                var other = new Thread(() =>
                {
                    try
                    {
                        scope.Dispose();
                    }
                    catch (InvalidOperationException e)
                    {
                        fromOtherThread = e;
                    }
                });
                other.Start();
                other.Join();
                seen.Add(get_num_threads());
                scope.Dispose();
                seen.Add(get_num_threads());
            }
            catch (Exception e)
            {
                failure = e;
            }
            finally
            {
                set_num_threads(process); // also LibTorch's default for threads that start afterwards
            }
        });
        thread.Start();
        thread.Join();

        Assert.Null(failure);
        Assert.Equal([process, own, process, own, process, own], seen);
        Assert.Contains("dispose the scope where it was opened", fromOtherThread?.Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => IntraOpThreads.Use(0));
    }
}
