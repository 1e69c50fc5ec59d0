using System.Buffers;

namespace Lance.Engine.Storage;

/// <summary>
/// Ranged reads of a file whose tail is held in memory (<see cref="FileTailCache"/>): reads within
/// the tail are copies; others go to the store through a reader opened on first need, with the
/// size already known (no request to ask for it).
/// </summary>
internal sealed class TailCachedReader : IObjectReader
{
    private readonly IObjectStore _store;
    private readonly FileTail _tail;
    private readonly Lock _lock = new();
    private IObjectReader? _inner;

    /// <summary>Reads <paramref name="key"/> of <paramref name="store"/> with <paramref name="tail"/> in memory; <paramref name="inner"/> is an already open reader, or null.</summary>
    public TailCachedReader(IObjectStore store, string key, FileTail tail, IObjectReader? inner)
    {
        _store = store;
        _tail = tail;
        _inner = inner;
        Key = key;
    }

    /// <inheritdoc/>
    public string Key { get; }

    /// <inheritdoc/>
    public long Length => _tail.Length;

    /// <inheritdoc/>
    public ValueTask ReadAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        if (TryCopy(offset, destination.Span))
        {
            return ValueTask.CompletedTask;
        }

        return ReadInnerAsync(offset, destination, cancellationToken);
    }

    /// <inheritdoc/>
    public void Read(long offset, Span<byte> destination)
    {
        if (!TryCopy(offset, destination))
        {
            Inner().Read(offset, destination);
        }
    }

    /// <inheritdoc/>
    public IMemoryOwner<byte>? TryMap(long offset, int length) => null;

    /// <inheritdoc/>
    public void Dispose()
    {
        lock (_lock)
        {
            _inner?.Dispose();
            _inner = null;
        }
    }

    private bool TryCopy(long offset, Span<byte> destination)
    {
        if (offset < 0 || offset + destination.Length > Length)
        {
            throw new EndOfStreamException($"Bytes {offset}..{offset + destination.Length} run past the end of the {Length}-byte object '{Key}' in {_store.Location}.");
        }

        if (offset < _tail.Start)
        {
            return false;
        }

        _tail.Bytes.AsSpan((int)(offset - _tail.Start), destination.Length).CopyTo(destination);
        return true;
    }

    private async ValueTask ReadInnerAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken)
        => await Inner().ReadAsync(offset, destination, cancellationToken).ConfigureAwait(false);

    private IObjectReader Inner()
    {
        lock (_lock)
        {
            return _inner ??= _store.OpenReadWithLengthAsync(Key, Length).AsTask().GetAwaiter().GetResult();
        }
    }
}
