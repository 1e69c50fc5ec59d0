using System.Collections.Concurrent;
using System.Runtime.ExceptionServices;

namespace Lance.Engine.Storage;

/// <summary>
/// Runs blocking reads of a remote store side by side, each on a thread of its own (at most
/// <see cref="MaxThreads"/>): a read waits on its requests, so the reads are as many requests in flight, and the thread
/// pool's few threads are left free for the requests' completions.
/// </summary>
internal static class ConcurrentReads
{
    /// <summary>The most threads one call uses (the calling thread included).</summary>
    internal const int MaxThreads = 16;

    /// <summary>
    /// Calls <paramref name="read"/> once for each of <paramref name="items"/>, side by side when there are several; returns
    /// when all have ended. A failure stops the items not yet started and is rethrown as it was thrown (the first one,
    /// when several fail).
    /// </summary>
    public static void ForEach(IReadOnlyList<int> items, Action<int> read)
    {
        if (items.Count < 2)
        {
            foreach (var item in items)
            {
                read(item);
            }

            return;
        }

        var next = -1;
        var errors = new ConcurrentQueue<ExceptionDispatchInfo>();
        void Work()
        {
            try
            {
                for (var i = Interlocked.Increment(ref next); i < items.Count; i = Interlocked.Increment(ref next))
                {
                    read(items[i]);
                }
            }
            catch (Exception e)
            {
                errors.Enqueue(ExceptionDispatchInfo.Capture(e));
                Volatile.Write(ref next, items.Count);
            }
        }

        var helpers = new Task[Math.Min(items.Count, MaxThreads) - 1];
        for (var t = 0; t < helpers.Length; t++)
        {
            helpers[t] = Task.Factory.StartNew(Work, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
        }

        Work();
        Task.WaitAll(helpers);
        if (errors.TryPeek(out var first))
        {
            first.Throw();
        }
    }
}
