using System.Buffers;
using Lance.Engine.Storage;

namespace Lance.Storage.Cloud;

/// <summary>Ranged reads of one remote object: each read is one ranged GET of exactly the bytes asked for.</summary>
internal sealed class RemoteObjectReader(RemoteObjectStore store, string key, long length) : IObjectReader
{
    public string Key { get; } = key;

    public long Length { get; } = length;

    public ValueTask ReadAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken = default)
    {
        Check(offset, destination.Length);
        return destination.Length == 0 ? ValueTask.CompletedTask : store.ReadRangeAsync(Key, offset, destination, cancellationToken);
    }

    public void Read(long offset, Span<byte> destination)
    {
        Check(offset, destination.Length);
        if (destination.Length == 0)
        {
            return;
        }

        var buffer = ArrayPool<byte>.Shared.Rent(destination.Length);
        try
        {
            // The engine's synchronous path: a remote store can only block on the request.
            store.ReadRangeAsync(Key, offset, buffer.AsMemory(0, destination.Length), CancellationToken.None).AsTask().GetAwaiter().GetResult();
            buffer.AsSpan(0, destination.Length).CopyTo(destination);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    public IMemoryOwner<byte>? TryMap(long offset, int length) => null;

    public void Dispose()
    {
    }

    private void Check(long offset, int count)
    {
        if (offset < 0 || offset + count > Length)
        {
            throw new EndOfStreamException($"Bytes {offset}..{offset + count} run past the end of the {Length}-byte object '{Key}' in {store.Location}.");
        }
    }
}
