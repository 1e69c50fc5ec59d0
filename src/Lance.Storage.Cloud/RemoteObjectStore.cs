using System.Runtime.CompilerServices;
using Lance.Engine.Storage;
using Lance.Storage.Cloud.Resilience;
using static Lance.Storage.Cloud.Resilience.RemoteCalls;

namespace Lance.Storage.Cloud;

/// <summary>
/// What the S3 and Azure stores share: every request runs through the retry pipeline and is
/// counted; reads are ranged GETs; streamed writes are uploaded whole on completion; a conditional
/// create whose first answer was lost is recognised as ours when the retry finds our bytes there.
/// Subclasses supply the single requests.
/// </summary>
public abstract class RemoteObjectStore : IObjectStore
{
    private readonly ConditionalPutMode _conditionalPut;
    private readonly Lock _probeLock = new();
    private Task? _probe;

    /// <summary>A store at <paramref name="location"/> (a URI without credentials) under <paramref name="prefix"/>.</summary>
    private protected RemoteObjectStore(string location, string prefix, ObjectStoreOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        Location = location;
        Names = new Keys(prefix);
        _conditionalPut = options.ConditionalPut;
        Calls = new RemoteCalls(location, options.Retry, Classify, Describe);
    }

    /// <inheritdoc/>
    public string Location { get; }

    /// <summary>Requests and bytes so far, retries included.</summary>
    public ObjectStoreStatistics Statistics => Calls.Statistics;

    private protected Keys Names { get; }

    private protected RemoteCalls Calls { get; }

    /// <inheritdoc/>
    public async ValueTask<IObjectReader> OpenReadAsync(string key, CancellationToken cancellationToken = default)
    {
        var info = await HeadAsync(key, cancellationToken).ConfigureAwait(false);
        return info is { } found
            ? new RemoteObjectReader(this, key, found.Length)
            : throw new FileNotFoundException($"No object '{key}' in {Location}.", key);
    }

    /// <inheritdoc/>
    public ValueTask<IObjectReader> OpenReadWithLengthAsync(string key, long length, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        ArgumentOutOfRangeException.ThrowIfNegative(length);
        _ = Names.Full(key);
        return ValueTask.FromResult<IObjectReader>(new RemoteObjectReader(this, key, length));
    }

    /// <inheritdoc/>
    public bool IsRemote => true;

    /// <inheritdoc/>
    public async ValueTask<ObjectInfo?> HeadAsync(string key, CancellationToken cancellationToken = default)
    {
        var name = Names.Full(key);
        var found = await Calls.RunAsync<object?>(
            "HEAD", key, async (_, token) => await ReadHeadAsync(name, key, token).ConfigureAwait(false) is { } info ? info : null, cancellationToken).ConfigureAwait(false);
        return found is ObjectInfo info ? info : null;
    }

    /// <inheritdoc/>
    public async IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prefix);
        var name = Names.Full(prefix);
        string? continuation = null;
        do
        {
            var token = continuation;
            var page = await Calls.RunAsync("LIST", prefix, (_, t) => ReadListPageAsync(name, token, t), cancellationToken).ConfigureAwait(false);
            foreach (var item in page.Objects)
            {
                yield return item with { Key = Names.Relative(item.Key) };
            }

            continuation = page.Continuation;
        }
        while (continuation is not null);
    }

    /// <inheritdoc/>
    public ValueTask PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        var name = Names.Full(key);
        return new ValueTask(Calls.RunAsync<object?>(
            "PUT", key,
            async (_, token) =>
            {
                await PutObjectAsync(name, data, token).ConfigureAwait(false);
                Statistics.Written(data.Length);
                return null;
            },
            cancellationToken).AsTask());
    }

    /// <inheritdoc/>
    public ValueTask<IObjectWriter> CreateAsync(string key, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        _ = Names.Full(key);
        return ValueTask.FromResult<IObjectWriter>(new RemoteObjectWriter(this, key));
    }

    /// <inheritdoc/>
    /// <exception cref="ConditionalWriteNotSupportedException">The service does not honour <c>If-None-Match: *</c>.</exception>
    public async ValueTask<bool> PutIfAbsentAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default)
    {
        await EnsureConditionalPutAsync(cancellationToken).ConfigureAwait(false);
        var name = Names.Full(key);
        return (bool)await Calls.RunAsync<object>(
            "PUT (if absent)", key,
            async (_, token) =>
            {
                if (await PutObjectIfAbsentAsync(name, data, token).ConfigureAwait(false))
                {
                    Statistics.Written(data.Length);
                    return Yes;
                }

                // An earlier send may have landed and only its answer was lost (a reset, a 5xx after the
                // service wrote it), whether our retry or the HTTP client's own transparent resend on a
                // dropped connection sent it again: then the object there holds exactly our bytes (a
                // manifest names its own transaction), and reporting a conflict would make the engine
                // commit the same change twice. A real conflict costs one HEAD (and a GET when the
                // sizes match) more.
                return await HoldsAsync(name, data, token).ConfigureAwait(false) ? Yes : No;
            },
            cancellationToken).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public ValueTask DeleteAsync(string key, CancellationToken cancellationToken = default)
    {
        var name = Names.Full(key);
        return new ValueTask(Calls.RunAsync<object?>(
            "DELETE", key,
            async (_, token) =>
            {
                await DeleteObjectAsync(name, token).ConfigureAwait(false);
                return null;
            },
            cancellationToken).AsTask());
    }

    /// <inheritdoc/>
    public abstract ValueTask DisposeAsync();

    /// <summary>Fills <paramref name="destination"/> from <paramref name="offset"/> of the object <paramref name="key"/> with one ranged GET (retried).</summary>
    internal ValueTask ReadRangeAsync(string key, long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        var name = Names.Full(key);
        return new ValueTask(Calls.RunAsync<object?>(
            "GET", key,
            async (_, token) =>
            {
                await ReadBytesAsync(name, offset, destination, token).ConfigureAwait(false);
                Statistics.Read(destination.Length);
                return null;
            },
            cancellationToken).AsTask());
    }

    /// <summary>
    /// The client that sends this store's reads (GET, HEAD, LIST) as plain HTTP requests of our own, or null when
    /// the service's SDK sends them (<see cref="HeadObjectAsync"/>, <see cref="ListPageAsync"/>, <see cref="GetRangeAsync"/>).
    /// </summary>
    private protected abstract HttpReads? Reads { get; }

    /// <summary>Through the SDK: the size and time of the object named <paramref name="name"/> (reported under <paramref name="key"/>), or null.</summary>
    private protected abstract ValueTask<ObjectInfo?> HeadObjectAsync(string name, string key, CancellationToken cancellationToken);

    /// <summary>Through the SDK: one page of objects whose names start with <paramref name="prefix"/>, with full names as keys.</summary>
    private protected abstract ValueTask<ListPage> ListPageAsync(string prefix, string? continuation, CancellationToken cancellationToken);

    /// <summary>Through the SDK: fills <paramref name="destination"/> with the bytes of <paramref name="name"/> from <paramref name="offset"/>.</summary>
    private protected abstract ValueTask GetRangeAsync(string name, long offset, Memory<byte> destination, CancellationToken cancellationToken);

    // Each read goes to the lean client when there is one (its call handed back as it is: no async layer between,
    // code a fresh process would compile on its first requests), else through the SDK.
    private ValueTask<ObjectInfo?> ReadHeadAsync(string name, string key, CancellationToken cancellationToken)
        => Reads is { } reads ? reads.HeadAsync(name, key, cancellationToken) : HeadObjectAsync(name, key, cancellationToken);

    private ValueTask<ListPage> ReadListPageAsync(string prefix, string? continuation, CancellationToken cancellationToken)
        => Reads is { } reads ? reads.ListPageAsync(prefix, continuation, cancellationToken) : ListPageAsync(prefix, continuation, cancellationToken);

    private ValueTask ReadBytesAsync(string name, long offset, Memory<byte> destination, CancellationToken cancellationToken)
        => Reads is { } reads ? GetRangeThroughAsync(reads, name, offset, destination, cancellationToken) : GetRangeAsync(name, offset, destination, cancellationToken);

    // A missing object is named with this store's location, as the SDK paths name it.
    private async ValueTask GetRangeThroughAsync(HttpReads reads, string name, long offset, Memory<byte> destination, CancellationToken cancellationToken)
    {
        try
        {
            await reads.GetRangeAsync(name, offset, destination, cancellationToken).ConfigureAwait(false);
        }
        catch (FileNotFoundException)
        {
            throw new FileNotFoundException($"No object '{name}' in {Location}.", name);
        }
    }

    /// <summary>Writes the object, replacing any.</summary>
    private protected abstract ValueTask PutObjectAsync(string name, ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>Writes the object with <c>If-None-Match: *</c>; false when the service refused because one exists.</summary>
    private protected abstract ValueTask<bool> PutObjectIfAbsentAsync(string name, ReadOnlyMemory<byte> data, CancellationToken cancellationToken);

    /// <summary>Deletes the object; nothing happens when there is none.</summary>
    private protected abstract ValueTask DeleteObjectAsync(string name, CancellationToken cancellationToken);

    /// <summary>Whether an SDK exception is worth retrying.</summary>
    private protected abstract FailureKind Classify(Exception exception);

    /// <summary>The HTTP status and service error code an SDK exception carries.</summary>
    private protected abstract (int? Status, string? Code) Describe(Exception exception);

    private async ValueTask<bool> HoldsAsync(string name, ReadOnlyMemory<byte> data, CancellationToken cancellationToken)
    {
        var info = await ReadHeadAsync(name, name, cancellationToken).ConfigureAwait(false);
        if (info is not { } found || found.Length != data.Length)
        {
            return false;
        }

        var there = new byte[data.Length];
        await ReadBytesAsync(name, 0, there, cancellationToken).ConfigureAwait(false);
        return data.Span.SequenceEqual(there);
    }

    private async ValueTask EnsureConditionalPutAsync(CancellationToken cancellationToken)
    {
        switch (_conditionalPut)
        {
            case ConditionalPutMode.Trust:
                return;
            case ConditionalPutMode.Disabled:
                throw new ConditionalWriteNotSupportedException(Location, "conditional puts are disabled by the storage option aws_conditional_put");
        }

        Task probe;
        lock (_probeLock)
        {
            // A definite answer (supported, or ConditionalWriteNotSupportedException) is kept; a probe that
            // failed for another reason (the service was unreachable) is tried again next time.
            var keep = _probe is { IsCanceled: false } and ({ IsFaulted: false } or { Exception.InnerException: ConditionalWriteNotSupportedException });
            probe = keep ? _probe! : _probe = ProbeAsync();
        }

        await probe.WaitAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task ProbeAsync()
    {
        // Put an object, then put it again with If-None-Match: * — a service that honours the header
        // refuses the second; one that answers 200 would let two commits replace each other.
        var key = $"_lance_probe/conditional-put-{Guid.NewGuid():N}";
        var name = Names.Full(key);
        byte[] first = [1];
        try
        {
            await Calls.RunAsync<object?>("PUT (probe)", key, async (_, t) => { await PutObjectAsync(name, first, t).ConfigureAwait(false); return null; }, CancellationToken.None).ConfigureAwait(false);
            bool refused;
            try
            {
                refused = !(bool)await Calls.RunAsync<object>("PUT (if absent, probe)", key, async (_, t) => await PutObjectIfAbsentAsync(name, new byte[] { 2 }, t).ConfigureAwait(false) ? Yes : No, CancellationToken.None).ConfigureAwait(false);
            }
            catch (ObjectStoreException e) when (e.StatusCode is 400 or 501)
            {
                throw new ConditionalWriteNotSupportedException(Location, $"the service rejected the header ({e.StatusCode} {e.ErrorCode})");
            }

            if (!refused)
            {
                throw new ConditionalWriteNotSupportedException(Location, "the service replaced an existing object sent with If-None-Match: * instead of refusing it");
            }
        }
        finally
        {
            try
            {
                await Calls.RunAsync<object?>("DELETE (probe)", key, async (_, t) => { await DeleteObjectAsync(name, t).ConfigureAwait(false); return null; }, CancellationToken.None).ConfigureAwait(false);
            }
            catch (ObjectStoreException)
            {
                // A left-over probe object is harmless: no Lance reader looks under _lance_probe/.
            }
        }
    }
}
