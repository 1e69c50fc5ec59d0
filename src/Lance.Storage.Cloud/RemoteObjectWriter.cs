using Lance.Engine.Storage;

namespace Lance.Storage.Cloud;

/// <summary>
/// A remote object being written: the bytes gather in memory and go up in one PUT on completion,
/// so a writer that fails or is disposed early leaves no object at all.
/// </summary>
internal sealed class RemoteObjectWriter(RemoteObjectStore store, string key) : IObjectWriter
{
    private readonly MemoryStream _buffer = new();
    private bool _completed;

    public Stream Stream => _buffer;

    public async ValueTask CompleteAsync(CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_completed, this);
        await store.PutAsync(key, _buffer.GetBuffer().AsMemory(0, (int)_buffer.Length), cancellationToken).ConfigureAwait(false);
        _completed = true;
    }

    public ValueTask DisposeAsync()
    {
        _buffer.Dispose();
        return ValueTask.CompletedTask;
    }
}
