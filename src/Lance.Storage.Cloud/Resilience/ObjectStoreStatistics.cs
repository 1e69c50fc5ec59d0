namespace Lance.Storage.Cloud.Resilience;

/// <summary>
/// What a store has sent and received so far, counted per request (each retry counts): for
/// benchmarks (requests and bytes per query) and for tests that check retries happened.
/// </summary>
public sealed class ObjectStoreStatistics
{
    private long _requests;
    private long _retries;
    private long _bytesRead;
    private long _bytesWritten;
    private long _heads;
    private long _gets;
    private long _inFlight;
    private long _maxInFlight;

    /// <summary>Requests sent, retries included.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Requests sent again after a transient failure.</summary>
    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>Object bytes received by reads.</summary>
    public long BytesRead => Interlocked.Read(ref _bytesRead);

    /// <summary>Object bytes sent by writes.</summary>
    public long BytesWritten => Interlocked.Read(ref _bytesWritten);

    /// <summary>HEAD requests sent (an object's size asked for), retries included.</summary>
    public long Heads => Interlocked.Read(ref _heads);

    /// <summary>Ranged GET requests sent, retries included.</summary>
    public long Gets => Interlocked.Read(ref _gets);

    /// <summary>The most requests that were in flight at once.</summary>
    public long MaxInFlight => Interlocked.Read(ref _maxInFlight);

    /// <summary>A copy of the counters as they are now.</summary>
    public (long Requests, long Retries, long BytesRead, long BytesWritten) Snapshot()
        => (Requests, Retries, BytesRead, BytesWritten);

    internal void Request(string operation)
    {
        Interlocked.Increment(ref _requests);
        if (operation == "HEAD")
        {
            Interlocked.Increment(ref _heads);
        }
        else if (operation == "GET")
        {
            Interlocked.Increment(ref _gets);
        }
    }

    internal void Started()
    {
        var now = Interlocked.Increment(ref _inFlight);
        for (var max = Interlocked.Read(ref _maxInFlight); now > max; max = Interlocked.Read(ref _maxInFlight))
        {
            if (Interlocked.CompareExchange(ref _maxInFlight, now, max) == max)
            {
                break;
            }
        }
    }

    internal void Finished() => Interlocked.Decrement(ref _inFlight);

    internal void Retry() => Interlocked.Increment(ref _retries);

    internal void Read(long bytes) => Interlocked.Add(ref _bytesRead, bytes);

    internal void Written(long bytes) => Interlocked.Add(ref _bytesWritten, bytes);
}
