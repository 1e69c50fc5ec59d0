using System.Runtime.CompilerServices;
using Lance.Engine.Storage;

namespace Lance.Orm;

/// <summary>
/// One table's view of a database's object store: the keys of the dataset <c>&lt;name&gt;.lance/</c>
/// under the database's root. The database owns the store; disposing a view leaves it open.
/// </summary>
internal sealed class TableObjectStore(IObjectStore root, string folder) : IObjectStore
{
    private readonly string _prefix = folder.TrimEnd('/') + "/";

    public string Location { get; } = $"{root.Location.TrimEnd('/')}/{folder.TrimEnd('/')}";

    public ValueTask<IObjectReader> OpenReadAsync(string key, CancellationToken cancellationToken = default)
        => root.OpenReadAsync(Full(key), cancellationToken);

    public ValueTask<IObjectReader> OpenReadWithLengthAsync(string key, long length, CancellationToken cancellationToken = default)
        => root.OpenReadWithLengthAsync(Full(key), length, cancellationToken);

    public bool IsRemote => root.IsRemote;

    public async ValueTask<ObjectInfo?> HeadAsync(string key, CancellationToken cancellationToken = default)
        => await root.HeadAsync(Full(key), cancellationToken).ConfigureAwait(false) is { } info ? info with { Key = key } : null;

    public async IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var info in root.ListAsync(Full(prefix), cancellationToken).ConfigureAwait(false))
        {
            yield return info with { Key = info.Key[_prefix.Length..] };
        }
    }

    public ValueTask PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
        => root.PutAsync(Full(key), data, cancellationToken);

    public ValueTask<IObjectWriter> CreateAsync(string key, CancellationToken cancellationToken = default)
        => root.CreateAsync(Full(key), cancellationToken);

    public ValueTask<bool> PutIfAbsentAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
        => root.PutIfAbsentAsync(Full(key), data, cancellationToken);

    public ValueTask DeleteAsync(string key, CancellationToken cancellationToken = default)
        => root.DeleteAsync(Full(key), cancellationToken);

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;

    private string Full(string key)
    {
        ArgumentNullException.ThrowIfNull(key);
        if (key.StartsWith('/') || key.Split('/').Any(part => part == ".."))
        {
            throw new ArgumentException($"'{key}' is not a key inside the table at {Location}.", nameof(key));
        }

        return _prefix + key;
    }
}
