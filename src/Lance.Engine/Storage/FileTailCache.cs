using System.Collections.Concurrent;

namespace Lance.Engine.Storage;

/// <summary>
/// The last bytes (footer and metadata) of each file a dataset opened on a remote store, with the
/// file's size: data and index files never change once written, so opening one again — another
/// column, another query, another version that still names it — costs no request until a page
/// outside the tail is read, and that read needs no request for the size either. Bounded: past
/// <see cref="Budget"/> bytes, new files are opened as before and not remembered.
/// </summary>
/// <remarks>One cache per store instance (<see cref="For"/>), shared by every dataset and checkout opened on it.</remarks>
internal sealed class FileTailCache
{
    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IObjectStore, FileTailCache> PerStore = new();

    /// <summary>How much of a file's end is read at its first open: Lance writers put a file's metadata there, usually within a few KiB.</summary>
    public const int TailBytes = 64 * 1024;

    private readonly ConcurrentDictionary<string, FileTail> _tails = new(StringComparer.Ordinal);
    private long _bytes;

    /// <summary>A cache of at most <paramref name="budget"/> bytes of tails.</summary>
    public FileTailCache(long budget = 64L * 1024 * 1024) => Budget = budget;

    /// <summary>The cache of the files of <paramref name="store"/> (made on first use, gone with the store).</summary>
    public static FileTailCache For(IObjectStore store) => PerStore.GetValue(store, static _ => new FileTailCache());

    /// <summary>The most bytes of tails kept.</summary>
    public long Budget { get; }

    /// <summary>The bytes of tails kept now.</summary>
    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>
    /// Opens the file at <paramref name="key"/> of <paramref name="store"/>: from its remembered tail
    /// when it was opened before, else with one read of its tail (remembered), preceded by a request
    /// for its size only when <paramref name="knownLength"/> is 0 (the manifest names the size of the
    /// data files it lists, as Lance writers record it).
    /// </summary>
    /// <exception cref="FileNotFoundException">The store has no such file.</exception>
    public async ValueTask<IObjectReader> OpenAsync(IObjectStore store, string key, long knownLength, CancellationToken cancellationToken)
    {
        if (_tails.TryGetValue(key, out var known))
        {
            return new TailCachedReader(store, key, known, inner: null);
        }

        var reader = knownLength > 0
            ? await store.OpenReadWithLengthAsync(key, knownLength, cancellationToken).ConfigureAwait(false)
            : await store.OpenReadAsync(key, cancellationToken).ConfigureAwait(false);
        try
        {
            var size = (int)Math.Min(reader.Length, TailBytes);
            var bytes = new byte[size];
            await reader.ReadAsync(reader.Length - size, bytes, cancellationToken).ConfigureAwait(false);
            var tail = new FileTail(reader.Length, bytes);
            if (Interlocked.Add(ref _bytes, size) <= Budget && _tails.TryAdd(key, tail))
            {
                return new TailCachedReader(store, key, tail, reader);
            }

            Interlocked.Add(ref _bytes, -size);
            return new TailCachedReader(store, key, tail, reader);
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    /// <summary>Forgets the file at <paramref name="key"/> (it was deleted).</summary>
    public void Forget(string key)
    {
        if (_tails.TryRemove(key, out var tail))
        {
            Interlocked.Add(ref _bytes, -tail.Bytes.Length);
        }
    }
}

/// <summary>The size of a file and its last bytes.</summary>
/// <param name="Length">The file's size.</param>
/// <param name="Bytes">Its last bytes (all of it when it is small).</param>
internal sealed record FileTail(long Length, byte[] Bytes)
{
    /// <summary>Where in the file the tail starts.</summary>
    public long Start => Length - Bytes.Length;
}
