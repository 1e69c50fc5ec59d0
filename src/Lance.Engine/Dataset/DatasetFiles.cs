using Lance.Engine.Format;
using Lance.Engine.Index;
using Lance.Engine.Storage;

namespace Lance.Engine.Dataset;

/// <summary>
/// The layout of one dataset over its <see cref="IObjectStore"/>: which key each kind of file has
/// (<c>data/</c>, <c>_deletions/</c>, <c>_indices/</c>, <c>_versions/</c>, <c>_transactions/</c>),
/// and the reads, writes and deletes of those files. Every byte of a dataset goes through here or
/// through the <see cref="CommitLog"/> over the same store, so a dataset works unchanged on any store.
/// </summary>
internal sealed class DatasetFiles
{
    private readonly FileTailCache? _tails;

    /// <summary>The files of the dataset at <paramref name="location"/> (its folder or URI, named in messages), kept in <paramref name="store"/>.</summary>
    public DatasetFiles(IObjectStore store, string location)
    {
        ArgumentNullException.ThrowIfNull(store);
        Store = store;
        Location = location;
        _tails = store.IsRemote ? FileTailCache.For(store) : null;
    }

    /// <summary>The store every file of the dataset is in.</summary>
    public IObjectStore Store { get; }

    /// <summary>The dataset's folder or URI, for messages.</summary>
    public string Location { get; }

    /// <summary>The key of the data file named <paramref name="name"/> in a fragment (relative to <c>data/</c>).</summary>
    public static string DataKey(string name) => VersionNames.DataFolder + "/" + name;

    /// <summary>The key of a fragment's deletion file.</summary>
    public static string DeletionKey(ulong fragmentId, DeletionFileInfo deletion) => VersionNames.DeletionsFolder + "/" + deletion.FileName(fragmentId);

    /// <summary>The folder (key prefix, ending in '/') of the index with folder name <paramref name="folderName"/>.</summary>
    public static string IndexFolder(string folderName) => IndexCatalog.IndicesFolder + "/" + folderName + "/";

    /// <summary>The key of the IVF-PQ file of the index with folder name <paramref name="folderName"/>.</summary>
    public static string IndexKey(string folderName) => IndexFolder(folderName) + IvfPqFile.FileName;

    /// <summary>How messages name the object at <paramref name="key"/>: a local path, or the store's location and the key.</summary>
    public string Describe(string key)
        => Store is LocalObjectStore local ? local.PathOf(key) : $"{Store.Location.TrimEnd('/')}/{key}";

    /// <summary>
    /// Opens a data file for ranged reads (footer and metadata first, each column's pages when asked
    /// for). Stores answer the open at once (local, in memory); a remote one blocks on its first request.
    /// </summary>
    /// <exception cref="FileNotFoundException">The store has no such file.</exception>
    /// <remarks>
    /// On a remote store each file's footer and metadata are fetched once (with a request for its size
    /// first) and kept (<see cref="FileTailCache"/>), and a column's pages are fetched concurrently however small.
    /// </remarks>
    public DataFileReader OpenData(string key, CancellationToken cancellationToken = default)
        => OpenData(key, 0, cancellationToken);

    /// <summary>
    /// Opens a data file whose size the manifest recorded (<paramref name="knownLength"/>; 0 when it
    /// did not): on a remote store its first open is then one read of its tail, with no request for its size.
    /// </summary>
    /// <exception cref="FileNotFoundException">The store has no such file.</exception>
    /// <exception cref="LanceTableNotFoundException">The file is missing because the whole dataset was dropped (by another process).</exception>
    public DataFileReader OpenData(string key, long knownLength, CancellationToken cancellationToken = default)
    {
        try
        {
            if (_tails is null)
            {
                var local = Store.OpenReadAsync(key, cancellationToken).AsTask().GetAwaiter().GetResult();
                return DataFileReader.Open(local, Describe(key), leaveOpen: false);
            }

            var reader = _tails.OpenAsync(Store, key, knownLength, cancellationToken).AsTask().GetAwaiter().GetResult();
            var file = DataFileReader.Open(reader, Describe(key), leaveOpen: false);
            file.ParallelDecodeMinBytes = RemoteParallelReadMinBytes;
            file.RemoteReads = true;
            return file;
        }
        catch (FileNotFoundException e) when (IsDropped(Store, cancellationToken))
        {
            throw Dropped(Location, e);
        }
    }

    /// <summary>Whether the dataset in <paramref name="store"/> has no manifest left: it was dropped (by another process).</summary>
    public static bool IsDropped(IObjectStore store, CancellationToken cancellationToken)
        => IsDroppedAsync(store, cancellationToken).AsTask().GetAwaiter().GetResult();

    /// <inheritdoc cref="IsDropped"/>
    public static async ValueTask<bool> IsDroppedAsync(IObjectStore store, CancellationToken cancellationToken)
    {
        try
        {
            await foreach (var entry in store.ListAsync(VersionNames.VersionsFolder + "/", cancellationToken).ConfigureAwait(false))
            {
                if (VersionNames.ParseVersion(entry.Key[(entry.Key.LastIndexOf('/') + 1)..]) is not null)
                {
                    return false;
                }
            }

            return true;
        }
        catch (DirectoryNotFoundException)
        {
            return true;
        }
    }

    /// <summary>The error for a dataset dropped while this handle used it.</summary>
    public static LanceTableNotFoundException Dropped(string location, Exception? inner)
    {
        var name = location.TrimEnd('/', '\\');
        name = name[(name.LastIndexOfAny(['/', '\\']) + 1)..];
        return new LanceTableNotFoundException(name.EndsWith(".lance", StringComparison.Ordinal) ? name[..^".lance".Length] : name, location, inner);
    }

    /// <summary>
    /// Opens a data file for positioned reads of its bytes only (no footer or metadata parsed): on a remote store
    /// through the kept tails, so a file opened before costs no request.
    /// </summary>
    /// <exception cref="FileNotFoundException">The store has no such file.</exception>
    public IObjectReader OpenBytes(string key, long knownLength, CancellationToken cancellationToken = default)
        => _tails is null
            ? Store.OpenReadAsync(key, cancellationToken).AsTask().GetAwaiter().GetResult()
            : _tails.OpenAsync(Store, key, knownLength, cancellationToken).AsTask().GetAwaiter().GetResult();

    /// <summary>On a remote store, a column with at least this many bytes of pages has them fetched concurrently.</summary>
    internal const long RemoteParallelReadMinBytes = 64 * 1024;


    /// <summary>The deleted row offsets of the deletion file at <paramref name="key"/>, sorted (blocking: queries load them first with <see cref="ReadDeletionsAsync"/>).</summary>
    public int[] ReadDeletions(string key, CancellationToken cancellationToken = default)
        => DeletionFileReader.ReadAsync(Store, key, cancellationToken).AsTask().GetAwaiter().GetResult();

    /// <summary>The deleted row offsets of the deletion file at <paramref name="key"/>, sorted.</summary>
    public ValueTask<int[]> ReadDeletionsAsync(string key, CancellationToken cancellationToken = default)
        => DeletionFileReader.ReadAsync(Store, key, cancellationToken);

    /// <summary>The whole (small) object at <paramref name="key"/>.</summary>
    public byte[] ReadAll(string key, CancellationToken cancellationToken = default)
        => CommitLog.ReadAllAsync(Store, key, cancellationToken).GetAwaiter().GetResult();

    /// <summary>Deletes the objects at <paramref name="keys"/>, best effort: a file no version names is never read, and cleanup removes what stays.</summary>
    public async Task TryDeleteAsync(IEnumerable<string> keys)
    {
        foreach (var key in keys)
        {
            try
            {
                await Store.DeleteAsync(key, CancellationToken.None).ConfigureAwait(false);
                _tails?.Forget(key);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // Left for CleanupOldVersionsAsync.
            }
        }
    }

    /// <summary>Deletes every object under the index folder <paramref name="folderName"/>, best effort.</summary>
    public async Task TryDeleteIndexAsync(string folderName)
    {
        var keys = new List<string>();
        await foreach (var entry in Store.ListAsync(IndexFolder(folderName), CancellationToken.None).ConfigureAwait(false))
        {
            keys.Add(entry.Key);
        }

        await TryDeleteAsync(keys).ConfigureAwait(false);
    }
}
