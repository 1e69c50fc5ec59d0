using System.Buffers;
using System.Collections.Concurrent;
using System.Runtime.CompilerServices;

namespace Lance.Engine.Storage;

/// <summary>
/// An <see cref="IObjectStore"/> held in memory: for tests, and for tables that live only as long
/// as the process. Conditional creates are atomic.
/// </summary>
public sealed class InMemoryObjectStore : IObjectStore
{
    private readonly ConcurrentDictionary<string, (byte[] Data, DateTimeOffset Written)> _objects = new(StringComparer.Ordinal);

    /// <summary>A store with the given name in messages.</summary>
    public InMemoryObjectStore(string location = "memory://")
    {
        Location = location;
    }

    /// <inheritdoc/>
    public string Location { get; }

    /// <inheritdoc/>
    public ValueTask<IObjectReader> OpenReadAsync(string key, CancellationToken cancellationToken = default)
        => _objects.TryGetValue(key, out var found)
            ? ValueTask.FromResult<IObjectReader>(new Reader(key, found.Data))
            : throw new FileNotFoundException($"No object '{key}' in {Location}.", key);

    /// <inheritdoc/>
    public ValueTask<ObjectInfo?> HeadAsync(string key, CancellationToken cancellationToken = default)
        => ValueTask.FromResult<ObjectInfo?>(_objects.TryGetValue(key, out var found) ? new ObjectInfo(key, found.Data.Length, found.Written) : null);

    /// <inheritdoc/>
    public async IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var (key, value) in _objects)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (key.StartsWith(prefix, StringComparison.Ordinal))
            {
                yield return new ObjectInfo(key, value.Data.Length, value.Written);
            }
        }

        await Task.CompletedTask.ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public ValueTask PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _objects[key] = (data.ToArray(), DateTimeOffset.UtcNow);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask<IObjectWriter> CreateAsync(string key, CancellationToken cancellationToken = default)
        => ValueTask.FromResult<IObjectWriter>(new Writer(this, key));

    /// <inheritdoc/>
    public ValueTask<bool> PutIfAbsentAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        return ValueTask.FromResult(_objects.TryAdd(key, (data.ToArray(), DateTimeOffset.UtcNow)));
    }

    /// <inheritdoc/>
    public ValueTask DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        _objects.TryRemove(key, out _);
        return ValueTask.CompletedTask;
    }

    /// <inheritdoc/>
    public ValueTask DisposeAsync()
    {
        _objects.Clear();
        return ValueTask.CompletedTask;
    }

    private sealed class Writer(InMemoryObjectStore store, string key) : IObjectWriter
    {
        private readonly MemoryStream _buffer = new();

        public Stream Stream => _buffer;

        public ValueTask CompleteAsync(CancellationToken cancellationToken = default)
        {
            cancellationToken.ThrowIfCancellationRequested();
            store._objects[key] = (_buffer.ToArray(), DateTimeOffset.UtcNow);
            return ValueTask.CompletedTask;
        }

        public ValueTask DisposeAsync()
        {
            _buffer.Dispose();
            return ValueTask.CompletedTask;
        }
    }

    private sealed class Reader(string key, byte[] data) : IObjectReader
    {
        public string Key { get; } = key;

        public long Length => data.Length;

        public ValueTask ReadAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken = default)
        {
            Read(offset, destination.Span);
            return ValueTask.CompletedTask;
        }

        public void Read(long offset, Span<byte> destination)
        {
            if (offset < 0 || offset + destination.Length > data.Length)
            {
                throw new EndOfStreamException($"Bytes {offset}..{offset + destination.Length} run past the end of the {data.Length}-byte object '{Key}'.");
            }

            data.AsSpan((int)offset, destination.Length).CopyTo(destination);
        }

        public IMemoryOwner<byte>? TryMap(long offset, int length) => null;

        public void Dispose()
        {
        }
    }
}
