using System.Runtime.InteropServices;
using Apache.Arrow;
using Lance.Engine.Storage;

namespace Lance.Engine.Dataset;

/// <summary>
/// The columns a dataset has read from its data files, kept within a byte budget and evicted least
/// recently used first. A reader takes a column as a <see cref="ColumnLease"/>, which pins it: a
/// column in use is never evicted, so the cache may run over its budget while more columns than it
/// holds are in use, and comes back under it as their leases are disposed. Columns whose buffers are
/// views of memory-mapped data files cost nothing against the budget (their pages are the OS's file
/// cache, not this process's memory) and are kept; columns decoded into memory count their bytes.
/// </summary>
/// <remarks>
/// A column is loaded once even when several threads ask for it at the same time (the others wait
/// for it). Eviction forgets a column: arrays a caller still holds stay valid (managed memory and
/// mapped views are released when nothing references them any more), except buffers in
/// <see cref="NativeColumnMemory"/> (vector columns a search reads whole when they are not mapped):
/// those are freed as soon as the column is out of the cache and no lease pins it, so a reader must
/// hold its lease for as long as it reads them.
/// </remarks>
internal sealed class ColumnCache
{
    private readonly Lock _lock = new();
    private readonly Dictionary<ColumnKey, Entry> _entries = [];
    private readonly LinkedList<Entry> _recency = new();
    private long _bytes;
    private long _evictions;

    /// <summary>A cache that keeps at most <paramref name="budgetBytes"/> bytes of unpinned decoded columns.</summary>
    /// <exception cref="ArgumentOutOfRangeException">The budget is negative.</exception>
    public ColumnCache(long budgetBytes)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(budgetBytes);
        BudgetBytes = budgetBytes;
    }

    /// <summary>The most bytes of decoded columns kept once no lease pins them.</summary>
    public long BudgetBytes { get; }

    /// <summary>The bytes of decoded columns held now (pinned ones included; mapped ones cost nothing).</summary>
    public long CachedBytes
    {
        get
        {
            lock (_lock)
            {
                return _bytes;
            }
        }
    }

    /// <summary>The number of columns held now.</summary>
    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _entries.Count;
            }
        }
    }

    /// <summary>How many columns were evicted to keep within the budget since the cache was made.</summary>
    public long Evictions => Interlocked.Read(ref _evictions);

    /// <summary>Whether <paramref name="key"/> is held now (loaded or being loaded).</summary>
    public bool Contains(ColumnKey key)
    {
        lock (_lock)
        {
            return _entries.ContainsKey(key);
        }
    }

    /// <summary>
    /// The column <paramref name="key"/>, pinned until the lease is disposed: from the cache, or
    /// loaded by <paramref name="load"/> (once, whoever else asks meanwhile) and then kept.
    /// </summary>
    /// <exception cref="Exception">Whatever <paramref name="load"/> throws; the column is then not kept.</exception>
    public ColumnLease Lease(ColumnKey key, Func<ColumnKey, IReadOnlyList<IArrowArray>> load)
    {
        ArgumentNullException.ThrowIfNull(load);
        return LeaseCore(key, load)!;
    }

    /// <summary>The column <paramref name="key"/> pinned until the lease is disposed when the cache holds it (or is loading it); else null, and nothing is loaded.</summary>
    /// <exception cref="Exception">Whatever the load under way throws.</exception>
    public ColumnLease? TryLeaseHeld(ColumnKey key) => LeaseCore(key, null);

    private ColumnLease? LeaseCore(ColumnKey key, Func<ColumnKey, IReadOnlyList<IArrowArray>>? load)
    {
        Entry entry;
        lock (_lock)
        {
            if (!_entries.TryGetValue(key, out entry!))
            {
                if (load is null)
                {
                    return null;
                }

                entry = new Entry(key, load);
                _entries.Add(key, entry);
                entry.Node = _recency.AddLast(entry);
            }
            else
            {
                _recency.Remove(entry.Node!);
                _recency.AddLast(entry.Node!);
            }

            entry.Pins++;
        }

        IReadOnlyList<IArrowArray> arrays;
        try
        {
            arrays = entry.Value.Value;
        }
        catch
        {
            lock (_lock)
            {
                entry.Pins--;
                Forget(entry);
            }

            throw;
        }

        lock (_lock)
        {
            if (!entry.Charged)
            {
                entry.Charged = true;
                entry.Bytes = CostOf(arrays);
                if (entry.InCache)
                {
                    _bytes += entry.Bytes;
                    EvictOverBudget();
                }
            }
        }

        return new ColumnLease(this, entry, arrays);
    }

    /// <summary>Forgets every column (after a cleanup, or when the dataset is disposed); leases held stay valid.</summary>
    public void Clear()
    {
        lock (_lock)
        {
            foreach (var entry in _entries.Values)
            {
                entry.InCache = false;
                FreeIfUnused(entry);
            }

            _entries.Clear();
            _recency.Clear();
            _bytes = 0;
        }
    }

    /// <summary>
    /// The bytes <paramref name="arrays"/> hold in this process's memory: every buffer (children and
    /// dictionaries included) but those that are views of a memory-mapped file.
    /// </summary>
    public static long CostOf(IReadOnlyList<IArrowArray> arrays)
    {
        long total = 0;
        foreach (var array in arrays)
        {
            total += CostOf(array.Data);
        }

        return total;
    }

    /// <summary>Unpins <paramref name="entry"/> (a lease was disposed) and evicts what the budget no longer allows.</summary>
    internal void Release(Entry entry)
    {
        lock (_lock)
        {
            entry.Pins--;
            FreeIfUnused(entry);
            EvictOverBudget();
        }
    }

    private static long CostOf(ArrayData data)
    {
        long total = 0;
        foreach (var buffer in data.Buffers ?? [])
        {
            if (!MemoryMarshal.TryGetMemoryManager<byte, MappedFileMemory>(buffer.Memory, out _))
            {
                total += buffer.Length;
            }
        }

        foreach (var child in data.Children ?? [])
        {
            total += CostOf(child);
        }

        if (data.Dictionary is { } dictionary)
        {
            total += CostOf(dictionary);
        }

        return total;
    }

    // Least recently used first; pinned columns, columns still loading and free (mapped) ones stay.
    private void EvictOverBudget()
    {
        var node = _recency.First;
        while (_bytes > BudgetBytes && node is not null)
        {
            var next = node.Next;
            var entry = node.Value;
            if (entry.Pins == 0 && entry.Charged && entry.Bytes > 0)
            {
                Forget(entry);
                _evictions++;
            }

            node = next;
        }
    }

    private void Forget(Entry entry)
    {
        if (!entry.InCache)
        {
            return;
        }

        entry.InCache = false;
        _entries.Remove(entry.Key);
        _recency.Remove(entry.Node!);
        if (entry.Charged)
        {
            _bytes -= entry.Bytes;
        }

        FreeIfUnused(entry);
    }

    // A column out of the cache that no lease pins any more: its native buffers (if it has any) are
    // freed now rather than when the garbage collector finds them. Managed and mapped ones are left to it.
    private static void FreeIfUnused(Entry entry)
    {
        if (entry.InCache || entry.Pins > 0 || entry.Freed || !entry.Value.IsValueCreated)
        {
            return;
        }

        entry.Freed = true;
        foreach (var array in entry.Value.Value)
        {
            NativeColumnMemory.Free(array.Data);
        }
    }

    /// <summary>One column held by the cache (its state is guarded by the cache's lock).</summary>
    internal sealed class Entry(ColumnKey key, Func<ColumnKey, IReadOnlyList<IArrowArray>> load)
    {
        /// <summary>The column.</summary>
        public ColumnKey Key { get; } = key;

        /// <summary>The column's arrays, loaded by the first reader.</summary>
        public Lazy<IReadOnlyList<IArrowArray>> Value { get; } = new(() => load(key), LazyThreadSafetyMode.ExecutionAndPublication);

        /// <summary>Its place in the recency list.</summary>
        public LinkedListNode<Entry>? Node { get; set; }

        /// <summary>The number of leases not yet disposed.</summary>
        public int Pins { get; set; }

        /// <summary>Whether <see cref="Bytes"/> is known and counted.</summary>
        public bool Charged { get; set; }

        /// <summary>What the column costs against the budget.</summary>
        public long Bytes { get; set; }

        /// <summary>Whether the cache still holds it (false once evicted or cleared).</summary>
        public bool InCache { get; set; } = true;

        /// <summary>Whether its native buffers were freed (it was out of the cache and unpinned).</summary>
        public bool Freed { get; set; }
    }
}
