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

    /// <summary>Requests sent, retries included.</summary>
    public long Requests => Interlocked.Read(ref _requests);

    /// <summary>Requests sent again after a transient failure.</summary>
    public long Retries => Interlocked.Read(ref _retries);

    /// <summary>Object bytes received by reads.</summary>
    public long BytesRead => Interlocked.Read(ref _bytesRead);

    /// <summary>Object bytes sent by writes.</summary>
    public long BytesWritten => Interlocked.Read(ref _bytesWritten);

    /// <summary>A copy of the counters as they are now.</summary>
    public (long Requests, long Retries, long BytesRead, long BytesWritten) Snapshot()
        => (Requests, Retries, BytesRead, BytesWritten);

    internal void Request() => Interlocked.Increment(ref _requests);

    internal void Retry() => Interlocked.Increment(ref _retries);

    internal void Read(long bytes) => Interlocked.Add(ref _bytesRead, bytes);

    internal void Written(long bytes) => Interlocked.Add(ref _bytesWritten, bytes);
}
