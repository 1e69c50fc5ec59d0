using System.Buffers;
using System.Collections.Concurrent;
using Lance.Engine.Storage;

namespace Lance.Engine.Tests.Support;

/// <summary>
/// An <see cref="IObjectStore"/> over another that records every ranged read, every map and every
/// write, so tests can prove what a query fetched from the store.
/// </summary>
public sealed class RecordingObjectStore(IObjectStore inner, bool allowMap = true) : IObjectStore
{
    private readonly bool _allowMap = allowMap;

    /// <summary>Every ranged read: key, offset, length.</summary>
    public ConcurrentQueue<(string Key, long Offset, int Length)> Reads { get; } = new();

    /// <summary>Every range mapped (where the inner store could map it).</summary>
    public ConcurrentQueue<(string Key, long Offset, int Length)> Maps { get; } = new();

    /// <summary>The key of every ranged read made through the blocking <see cref="IObjectReader.Read"/> (the others were awaited).</summary>
    public ConcurrentQueue<string> BlockingReads { get; } = new();

    /// <summary>When set, each awaited ranged read first awaits the task it returns for the key (a test holds reads back with it).</summary>
    public Func<string, Task>? ReadGate { get; set; }

    /// <summary>Every key written (put, created, put-if-absent).</summary>
    public ConcurrentQueue<string> Writes { get; } = new();

    public string Location => inner.Location;

    /// <summary>When true the store says its reads are requests over the network (<see cref="IObjectStore.IsRemote"/>), as S3 and Azure do.</summary>
    public bool Remote { get; init; }

    bool IObjectStore.IsRemote => Remote;

    /// <summary>The bytes read from objects whose key starts with <paramref name="prefix"/>.</summary>
    public long BytesRead(string prefix) => Reads.Where(r => r.Key.StartsWith(prefix, StringComparison.Ordinal)).Sum(r => (long)r.Length);

    public void Clear()
    {
        Reads.Clear();
        Maps.Clear();
        BlockingReads.Clear();
    }

    public async ValueTask<IObjectReader> OpenReadAsync(string key, CancellationToken cancellationToken = default)
        => new Reader(this, await inner.OpenReadAsync(key, cancellationToken));

    public ValueTask<ObjectInfo?> HeadAsync(string key, CancellationToken cancellationToken = default) => inner.HeadAsync(key, cancellationToken);

    public IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken = default) => inner.ListAsync(prefix, cancellationToken);

    public ValueTask PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        Writes.Enqueue(key);
        return inner.PutAsync(key, data, cancellationToken);
    }

    public ValueTask<IObjectWriter> CreateAsync(string key, CancellationToken cancellationToken = default)
    {
        Writes.Enqueue(key);
        return inner.CreateAsync(key, cancellationToken);
    }

    public ValueTask<bool> PutIfAbsentAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        Writes.Enqueue(key);
        return inner.PutIfAbsentAsync(key, data, cancellationToken);
    }

    public ValueTask DeleteAsync(string key, CancellationToken cancellationToken = default) => inner.DeleteAsync(key, cancellationToken);

    public ValueTask DisposeAsync() => inner.DisposeAsync();

    private sealed class Reader(RecordingObjectStore store, IObjectReader inner) : IObjectReader
    {
        public string Key => inner.Key;

        public long Length => inner.Length;

        public ValueTask ReadAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken = default)
        {
            store.Reads.Enqueue((Key, offset, destination.Length));
            return store.ReadGate?.Invoke(Key) is { IsCompleted: false } gate
                ? AfterAsync(gate, offset, destination, cancellationToken)
                : inner.ReadAsync(offset, destination, cancellationToken);
        }

        private async ValueTask AfterAsync(Task gate, long offset, Memory<byte> destination, CancellationToken cancellationToken)
        {
            await gate.ConfigureAwait(false);
            await inner.ReadAsync(offset, destination, cancellationToken).ConfigureAwait(false);
        }

        public void Read(long offset, Span<byte> destination)
        {
            store.Reads.Enqueue((Key, offset, destination.Length));
            store.BlockingReads.Enqueue(Key);
            inner.Read(offset, destination);
        }

        public IMemoryOwner<byte>? TryMap(long offset, int length)
        {
            if (!store._allowMap)
            {
                return null;
            }

            var mapped = inner.TryMap(offset, length);
            if (mapped is not null)
            {
                store.Maps.Enqueue((Key, offset, length));
            }

            return mapped;
        }

        public void Dispose() => inner.Dispose();
    }
}
