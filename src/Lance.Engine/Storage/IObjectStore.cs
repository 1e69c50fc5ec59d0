namespace Lance.Engine.Storage;

/// <summary>
/// The one seam through which the engine reads and writes bytes: a flat namespace of immutable
/// objects named by '/'-separated keys relative to the store's root (a dataset folder, a bucket
/// prefix). Every implementation must make <see cref="PutIfAbsentAsync"/> atomic: that is what keeps
/// commits safe when several writers race.
/// </summary>
/// <remarks>
/// <para>
/// Keys never start with '/' and use '/' on every platform, e.g. <c>_versions/18446744073709551614.manifest</c>.
/// Objects are written whole and never changed in place; the engine only creates, reads, lists and
/// deletes them. Implementations are thread-safe.
/// </para>
/// <para>What a store must guarantee, for a dataset to work on it unchanged:</para>
/// <list type="bullet">
/// <item><b>Conditional create</b>: <see cref="PutIfAbsentAsync"/> is atomic (of racing callers exactly one wins).</item>
/// <item><b>Whole objects</b>: an object written by <see cref="PutAsync"/> or <see cref="CreateAsync"/> is seen whole or not at all; an abandoned write leaves nothing listed.</item>
/// <item><b>Ranged reads</b>: <see cref="IObjectReader.ReadAsync"/> and <see cref="IObjectReader.Read"/> fetch just the range asked for, so a query reads only the pages it needs; <see cref="IObjectReader.TryMap"/> is an optional fast path (null is always allowed).</item>
/// <item><b>Missing objects</b>: <see cref="OpenReadAsync"/> throws <see cref="FileNotFoundException"/> for a key with no object (whatever "folder" it names), and <see cref="HeadAsync"/> returns null.</item>
/// <item><b>List by prefix</b>: <see cref="ListAsync"/> sees every object written before it started (read-after-write), under any depth of the prefix.</item>
/// <item><b>Delete</b>: <see cref="DeleteAsync"/> of a missing key does nothing.</item>
/// </list>
/// </remarks>
public interface IObjectStore : IAsyncDisposable
{
    /// <summary>Where this store points, for messages (a folder path or a URI without credentials).</summary>
    string Location { get; }

    /// <summary>
    /// Opens the object at <paramref name="key"/> for ranged reads.
    /// </summary>
    /// <exception cref="FileNotFoundException">No object has that key (also when no key shares its folder).</exception>
    ValueTask<IObjectReader> OpenReadAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Opens the object at <paramref name="key"/>, whose size the caller already knows (from an
    /// earlier open), for ranged reads: a remote store then sends no request to ask for it.
    /// </summary>
    /// <exception cref="FileNotFoundException">No object has that key (a local store checks at once; a remote one on the first read).</exception>
    ValueTask<IObjectReader> OpenReadWithLengthAsync(string key, long length, CancellationToken cancellationToken = default)
        => OpenReadAsync(key, cancellationToken);

    /// <summary>
    /// Whether each read is a request over the network (S3, Azure Blob) rather than a read of local
    /// memory or disk: the engine then keeps the footer and metadata of each file it opened (they
    /// never change) and issues a column's page reads concurrently.
    /// </summary>
    bool IsRemote => false;

    /// <summary>The size and time of the object at <paramref name="key"/>, or null when there is none.</summary>
    ValueTask<ObjectInfo?> HeadAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Every object whose key starts with <paramref name="prefix"/> (a folder such as <c>_versions/</c>),
    /// in no particular order. An empty prefix lists the whole store.
    /// </summary>
    IAsyncEnumerable<ObjectInfo> ListAsync(string prefix, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes <paramref name="data"/> as the object at <paramref name="key"/>, replacing any object
    /// there. Readers never see a partly written object.
    /// </summary>
    ValueTask PutAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default);

    /// <summary>
    /// Starts writing the object at <paramref name="key"/> as a stream, for large data files. The
    /// object appears, whole, on <see cref="IObjectWriter.CompleteAsync"/>; disposing the writer
    /// without completing it (a failure, a cancellation) leaves no object.
    /// </summary>
    ValueTask<IObjectWriter> CreateAsync(string key, CancellationToken cancellationToken = default);

    /// <summary>
    /// Writes <paramref name="data"/> as the object at <paramref name="key"/> only if no object has
    /// that key, atomically: of two racing callers exactly one gets true. False means another object
    /// was there first, and nothing was written.
    /// </summary>
    /// <exception cref="NotSupportedException">The store cannot create conditionally; committing through it would be unsafe.</exception>
    ValueTask<bool> PutIfAbsentAsync(string key, ReadOnlyMemory<byte> data, CancellationToken cancellationToken = default);

    /// <summary>Deletes the object at <paramref name="key"/>; nothing happens when there is none.</summary>
    ValueTask DeleteAsync(string key, CancellationToken cancellationToken = default);
}

/// <summary>One object of an <see cref="IObjectStore"/>: its key, size and last change.</summary>
/// <param name="Key">The object's key, relative to the store's root.</param>
/// <param name="Length">Its size in bytes.</param>
/// <param name="LastModified">When it was written.</param>
public readonly record struct ObjectInfo(string Key, long Length, DateTimeOffset LastModified);

/// <summary>
/// Ranged reads of one object. Reads may run concurrently from several threads.
/// </summary>
public interface IObjectReader : IDisposable
{
    /// <summary>The object's key.</summary>
    string Key { get; }

    /// <summary>The object's size in bytes.</summary>
    long Length { get; }

    /// <summary>Fills <paramref name="destination"/> with the bytes from <paramref name="offset"/>.</summary>
    /// <exception cref="EndOfStreamException">The range runs past the end of the object.</exception>
    ValueTask ReadAsync(long offset, Memory<byte> destination, CancellationToken cancellationToken = default);

    /// <summary>
    /// Fills <paramref name="destination"/> with the bytes from <paramref name="offset"/>, blocking.
    /// Local stores answer from the OS cache; remote ones block on the request.
    /// </summary>
    /// <exception cref="EndOfStreamException">The range runs past the end of the object.</exception>
    void Read(long offset, Span<byte> destination);

    /// <summary>
    /// The bytes from <paramref name="offset"/> as memory that stays valid while the returned owner
    /// is alive, without copying where the store can (a memory map); null where it cannot, and the
    /// caller reads into its own buffer instead.
    /// </summary>
    System.Buffers.IMemoryOwner<byte>? TryMap(long offset, int length);
}

/// <summary>One object being written by <see cref="IObjectStore.CreateAsync"/>.</summary>
public interface IObjectWriter : IAsyncDisposable
{
    /// <summary>The stream to write the object's bytes to, in order.</summary>
    Stream Stream { get; }

    /// <summary>Finishes the object: after this it is visible under its key, whole.</summary>
    ValueTask CompleteAsync(CancellationToken cancellationToken = default);
}
