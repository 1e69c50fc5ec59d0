using Apache.Arrow;

namespace Lance.Engine.Dataset;

/// <summary>
/// A column taken from the <see cref="ColumnCache"/> and pinned there until disposed: the cache
/// does not evict it meanwhile, and the lease keeps its arrays (and so any memory map under them)
/// reachable while spans over them are in use. Dispose it once done; disposing twice does nothing.
/// </summary>
internal sealed class ColumnLease : IDisposable
{
    private readonly ColumnCache? _cache;
    private readonly ColumnCache.Entry? _entry;
    private int _disposed;

    internal ColumnLease(ColumnCache cache, ColumnCache.Entry entry, IReadOnlyList<IArrowArray> arrays)
    {
        _cache = cache;
        _entry = entry;
        Arrays = arrays;
    }

    /// <summary>The column's arrays, in row order (one unless the column was leased as pieces).</summary>
    public IReadOnlyList<IArrowArray> Arrays { get; }

    /// <summary>The column as one array (the first piece when it was leased as pieces).</summary>
    public IArrowArray Array => Arrays[0];

    /// <summary>Unpins the column: the cache may evict it from now on.</summary>
    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0 && _cache is not null && _entry is not null)
        {
            _cache.Release(_entry);
        }
    }
}
