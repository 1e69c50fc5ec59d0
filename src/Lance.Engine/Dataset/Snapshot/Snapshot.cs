using Apache.Arrow;
using Apache.Arrow.Types;
using Lance.Engine.Format;

namespace Lance.Engine.Dataset;

/// <summary>
/// One version of a dataset as readers see it: its manifest, Arrow schema and fragments, and the
/// reads of their columns and deletion masks. Immutable and safe to share between threads: a scan or
/// search takes the snapshot current when it starts and is not disturbed by commits made meanwhile.
/// Decoded files are kept in the <see cref="FragmentCache"/> all snapshots of a dataset share.
/// </summary>
internal sealed class Snapshot
{
    private readonly FragmentCache _cache;

    public Snapshot(Manifest manifest, FragmentCache cache)
    {
        Manifest = manifest;
        Schema = manifest.Schema.ToArrow();
        _cache = cache;
    }

    /// <summary>The version's manifest.</summary>
    public Manifest Manifest { get; }

    /// <summary>The version's Arrow schema, with its metadata.</summary>
    public Schema Schema { get; }

    /// <summary>The dataset's folder or URI (messages name it).</summary>
    public string Location => _cache.DataPath;

    /// <summary>The dataset's files in its object store, which every read and write goes through.</summary>
    public DatasetFiles Files => _cache.Files;

    /// <summary>The fragments of the version.</summary>
    public IList<DataFragment> Fragments => Manifest.Fragments;

    /// <summary>The row ids of the dataset's fragments.</summary>
    public FragmentRowIds RowIds => _cache.RowIds;

    /// <summary>The full-text indexes read so far, by index id (shared by every snapshot of the dataset).</summary>
    public System.Collections.Concurrent.ConcurrentDictionary<Guid, Index.FullText.FullTextIndex> FullTextIndexes => _cache.FullTextIndexes;

    /// <summary>Another version of the same dataset, sharing what was decoded.</summary>
    public Snapshot Next(Manifest manifest) => new(manifest, _cache);

    /// <summary>The number of live rows (physical rows less deleted ones).</summary>
    public long CountRows() => RowsOf(Manifest);

    /// <summary>The number of live rows of <paramref name="manifest"/>.</summary>
    public static long RowsOf(Manifest manifest)
        => manifest.Fragments.Sum(f => (long)f.PhysicalRows - (long)(f.DeletionFile?.NumDeletedRows ?? 0));

    /// <summary>The fields named by <paramref name="columns"/>, in that order; all when null.</summary>
    /// <exception cref="LanceSchemaException">A column does not exist.</exception>
    public List<Field> Project(IReadOnlyList<string>? columns)
    {
        if (columns is null)
        {
            return Schema.FieldsList.ToList();
        }

        return columns.Select(name => Schema.FieldsList.FirstOrDefault(f => f.Name == name)
            ?? throw new LanceSchemaException($"Column '{name}' does not exist in '{Location}'. Columns: {ColumnList}.")).ToList();
    }

    /// <summary>The column names, comma-separated, for messages.</summary>
    public string ColumnList => string.Join(", ", Schema.FieldsList.Select(f => f.Name));

    /// <summary>The fragment with id <paramref name="id"/>.</summary>
    public DataFragment Fragment(ulong id) => Manifest.Fragments.First(f => f.Id == id);

    /// <summary>Reads columns of a fragment (deleted rows included).</summary>
    public RecordBatch ReadFragment(DataFragment fragment, IReadOnlyList<Field> projection, CancellationToken cancellationToken = default)
    {
        var columns = projection.Select(field => ReadColumn(fragment, field, cancellationToken)).ToList();
        return new RecordBatch(new Schema(projection, null), columns, (int)fragment.PhysicalRows);
    }

    /// <summary>Reads every column of a fragment (deleted rows included), in schema order.</summary>
    public RecordBatch ReadFragment(DataFragment fragment) => ReadFragment(fragment, Schema.FieldsList);

    /// <summary>Reads one column of a fragment (deleted rows included).</summary>
    public IArrowArray ReadColumn(DataFragment fragment, Field field, CancellationToken cancellationToken = default)
        => ReadColumn(fragment, LanceFieldOf(field), cancellationToken);

    /// <summary>
    /// Reads one column of a fragment (deleted rows included). The column is not pinned in the
    /// cache: a reader that uses it for long, or takes spans of it, takes a lease instead
    /// (<see cref="LeaseColumn(DataFragment, LanceField, CancellationToken)"/>).
    /// </summary>
    public IArrowArray ReadColumn(DataFragment fragment, LanceField field, CancellationToken cancellationToken = default)
    {
        using var lease = LeaseColumn(fragment, field, cancellationToken);
        return lease.Array;
    }

    /// <summary>
    /// The float32 vectors of <paramref name="rows"/> (row offsets in <paramref name="fragment"/>), <paramref name="dimension"/>
    /// values each, in that order, read by positioned reads of the data file (see <see cref="RowVectors"/>); null when the
    /// column is not stored as flat float32 pages, or the cache holds it in memory already (then a lease reads it for nothing).
    /// </summary>
    public byte[]? TryReadRowVectors(DataFragment fragment, Field field, int dimension, ReadOnlySpan<int> rows, CancellationToken cancellationToken = default)
    {
        var lanceField = LanceFieldOf(field);
        var file = DataFileOf(fragment, lanceField);
        var key = KeyOf(file, lanceField);
        // A column the cache holds in memory is read from there; one it maps is not (each page of the mapping
        // touched for the first time costs a page fault, dearer than a positioned read of the row).
        var inMemory = Files.Store.IsRemote || !_cache.MapColumns;
        if (inMemory && Holds(key))
        {
            return null;
        }

        return RowVectors.TryRead(_cache, key, file, lanceField, (long)fragment.PhysicalRows, dimension, rows, cancellationToken);
    }

    /// <summary>True when the cache holds <paramref name="fragment"/>'s column <paramref name="field"/> (whole, or as pieces), so a lease of it reads nothing.</summary>
    public bool HoldsColumn(DataFragment fragment, Field field)
    {
        var lanceField = LanceFieldOf(field);
        return Holds(KeyOf(DataFileOf(fragment, lanceField), lanceField));
    }

    // Held by the cache whole, or as pieces.
    private bool Holds(ColumnKey key) => _cache.Columns.Contains(key) || _cache.Columns.Contains(key with { Pieces = true });

    private static ColumnKey KeyOf(DataFile file, LanceField field) => new(DatasetFiles.DataKey(file.Path), field.Id);

    /// <summary>One column of a fragment (deleted rows included), pinned in the cache until the lease is disposed.</summary>
    public ColumnLease LeaseColumn(DataFragment fragment, Field field, CancellationToken cancellationToken = default)
        => LeaseColumn(fragment, LanceFieldOf(field), cancellationToken);

    /// <summary>One column of a fragment (deleted rows included), pinned in the cache until the lease is disposed.</summary>
    public ColumnLease LeaseColumn(DataFragment fragment, LanceField field, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var file = DataFileOf(fragment, field);
        return _cache.Columns.Lease(KeyOf(file, field), key =>
        {
            using var reader = Files.OpenData(key.File, (long)file.FileSizeBytes, cancellationToken);

            // Vector columns are mapped from the file rather than copied (the lease keeps them alive);
            // not on Windows, where a mapped file could not be deleted by cleanup.
            reader.MapFlatColumns = _cache.MapColumns;
            reader.CancellationToken = cancellationToken;
            return [reader.ReadColumn(field)];
        });
    }

    /// <summary>
    /// One column of a fragment (deleted rows included) opened for decoding page by page (see
    /// <see cref="DataFiles.V21.ColumnPages"/>), for a reader that goes through it once (an index build) and need not hold
    /// it whole; null when the cache holds the column already (lease it instead) or its file cannot be read page by page.
    /// Dispose the pages when done: they hold the file open.
    /// </summary>
    public DataFiles.V21.ColumnPages? TryOpenColumnPages(DataFragment fragment, Field field, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var lanceField = LanceFieldOf(field);
        var file = DataFileOf(fragment, lanceField);
        var key = KeyOf(file, lanceField);
        if (_cache.Columns.Contains(key))
        {
            return null;
        }

        var reader = Files.OpenData(key.File, (long)file.FileSizeBytes, cancellationToken);
        try
        {
            reader.CancellationToken = cancellationToken;
            var pages = reader.TryOpenPages(lanceField);
            if (pages is null || pages.RowCount != (long)fragment.PhysicalRows)
            {
                pages?.Dispose();
                reader.Dispose();
                return null;
            }

            pages.Owner = reader;
            return pages;
        }
        catch
        {
            reader.Dispose();
            throw;
        }
    }

    /// <summary>
    /// A fragment's column as arrays in row order, pinned in the cache until the lease is disposed (the
    /// lease also keeps mapped views alive while spans over them are read): for a vector column whose
    /// pages are flat, views of the data file (one per run of pages lying back to back), so a search
    /// reads the page cache in place and no copy of the column is made or kept in managed memory;
    /// otherwise the one array <see cref="ReadColumn(DataFragment, LanceField, CancellationToken)"/> reads.
    /// </summary>
    public ColumnLease LeaseColumnPieces(DataFragment fragment, Field field, CancellationToken cancellationToken = default)
    {
        var lanceField = LanceFieldOf(field);
        var file = DataFileOf(fragment, lanceField);
        var path = DatasetFiles.DataKey(file.Path);
        if (field.DataType is FixedSizeListType && !_cache.Columns.Contains(new ColumnKey(path, lanceField.Id)) && TryLeasePieces(file, lanceField) is { } pieces)
        {
            return pieces;
        }

        return LeaseColumn(fragment, lanceField, cancellationToken);
    }

    /// <summary>
    /// A fragment's vector column for an exact search that has already taken <paramref name="taken"/>
    /// bytes of the cache's budget: leased when the cache holds it or it maps (as
    /// <see cref="LeaseColumnPieces"/>), or read whole when it fits in what is left of the budget (a
    /// column with flat pages into native memory the cache frees as soon as it evicts it; the
    /// lease's cost is added to <paramref name="taken"/>); otherwise, when its pages are flat, streamed
    /// from its file chunk by chunk and not kept. So a search over more vectors than the budget holds
    /// keeps what fits and streams the rest, instead of decoding every column whole only to evict it.
    /// </summary>
    public SearchColumn LeaseSearchColumn(DataFragment fragment, Field field, ref long taken, CancellationToken cancellationToken = default)
    {
        var lanceField = LanceFieldOf(field);
        var file = DataFileOf(fragment, lanceField);
        var path = DatasetFiles.DataKey(file.Path);
        var whole = new ColumnKey(path, lanceField.Id);
        if (field.DataType is not FixedSizeListType || _cache.Columns.Contains(whole))
        {
            return Charged(LeaseColumn(fragment, lanceField, cancellationToken), ref taken);
        }

        if (TryLeasePieces(file, lanceField) is { } held)
        {
            return Charged(held, ref taken);
        }

        var estimate = SearchColumnEstimate(fragment, field);
        var fits = estimate <= _cache.Columns.BudgetBytes - taken;
        if (fits && _cache.Columns.Contains(whole with { Pieces = true }))
        {
            // Held as no pieces: it does not map (a remote store); read it whole as before, opening nothing more.
            return Charged(LeaseColumn(fragment, lanceField, cancellationToken), ref taken);
        }

        var reader = Files.OpenData(path, (long)file.FileSizeBytes, cancellationToken);
        try
        {
            reader.CancellationToken = cancellationToken;
            if (reader.TryFlatColumnLayout(lanceField) is { } layout && layout.Rows == (long)fragment.PhysicalRows && layout.RowBytes > 0)
            {
                if (!fits)
                {
                    var streamed = new StreamedVectors(reader, layout, Files.Store.IsRemote ? RemoteStreamChunkBytes : StreamChunkBytes);
                    reader = null;
                    return SearchColumn.Streaming(streamed);
                }

                var source = reader;
                var native = _cache.Columns.Lease(whole with { Pieces = true }, _ => FlatVectors.ReadNative(source, layout, cancellationToken));
                if (native.Arrays.Count > 0)
                {
                    return Charged(native, ref taken);
                }

                native.Dispose(); // the column did not map (held as no pieces): read it as before
            }
        }
        finally
        {
            reader?.Dispose();
        }

        return Charged(LeaseColumn(fragment, lanceField, cancellationToken), ref taken);
    }

    /// <summary>The bytes a fragment's vector column <paramref name="field"/> takes when read whole (see <see cref="LeaseSearchColumn"/>).</summary>
    public static long SearchColumnEstimate(DataFragment fragment, Field field)
        => (long)fragment.PhysicalRows * (LanceLogicalTypes.FixedWidthBits(field.DataType) / 8);

    /// <summary>The column cache's budget in bytes (see <see cref="ColumnCache.BudgetBytes"/>).</summary>
    public long ColumnBudgetBytes => _cache.Columns.BudgetBytes;

    /// <summary>The bytes of one chunk a streamed search reads from a local file (scored while it is in the CPU's cache).</summary>
    internal const int StreamChunkBytes = 1 << 20;

    /// <summary>The bytes of one chunk a streamed search reads from a remote store (one ranged request each).</summary>
    internal const int RemoteStreamChunkBytes = 16 << 20;

    private static SearchColumn Charged(ColumnLease lease, ref long taken)
    {
        taken += ColumnCache.CostOf(lease.Arrays);
        return SearchColumn.Leased(lease);
    }

    // The column as pieces the cache holds (mapped, or read into native memory by a search), else
    // mapped now where columns are mapped; null when it is held as no pieces (it does not map) or not held.
    private ColumnLease? TryLeasePieces(DataFile file, LanceField lanceField)
    {
        var key = KeyOf(file, lanceField) with { Pieces = true };
        var lease = _cache.MapColumns
            ? _cache.Columns.Lease(key, k =>
            {
                using var reader = Files.OpenData(k.File, (long)file.FileSizeBytes);
                return reader.TryMapFlatColumn(lanceField) ?? [];
            })
            : _cache.Columns.TryLeaseHeld(key);
        if (lease is null)
        {
            return null;
        }

        if (lease.Arrays.Count > 0)
        {
            return lease;
        }

        lease.Dispose();
        return null;
    }

    /// <summary>The deleted row offsets of a fragment.</summary>
    public HashSet<int> DeletedRows(DataFragment fragment)
    {
        if (fragment.DeletionFile is not { } deletion)
        {
            return [];
        }

        var name = deletion.FileName(fragment.Id);
        if (_cache.Deletions.TryGetValue(fragment.Id, out var known) && known.Deletion == name)
        {
            return known.Rows;
        }

        HashSet<int> rows = [.. Files.ReadDeletions(DeletionPath(fragment, deletion))];
        _cache.Deletions[fragment.Id] = (name, rows);
        return rows;
    }

    /// <summary>
    /// Reads, without blocking, the deletion files of this version's fragments that the cache does not
    /// hold yet, so the queries that follow find every deletion mask in the cache
    /// (<see cref="DeletedRows"/> then reads nothing). Completes at once when nothing is to read.
    /// </summary>
    public ValueTask LoadDeletionsAsync(CancellationToken cancellationToken = default)
    {
        List<(DataFragment Fragment, string Name, string Key)>? missing = null;
        foreach (var fragment in Manifest.Fragments)
        {
            if (fragment.DeletionFile is { } deletion)
            {
                var name = deletion.FileName(fragment.Id);
                if (!_cache.Deletions.TryGetValue(fragment.Id, out var known) || known.Deletion != name)
                {
                    (missing ??= []).Add((fragment, name, DeletionPath(fragment, deletion)));
                }
            }
        }

        return missing is null ? ValueTask.CompletedTask : LoadAsync(missing, cancellationToken);

        async ValueTask LoadAsync(List<(DataFragment Fragment, string Name, string Key)> files, CancellationToken token)
        {
            var read = await Task.WhenAll(files.Select(f => Files.ReadDeletionsAsync(f.Key, token).AsTask())).ConfigureAwait(false);
            for (var i = 0; i < files.Count; i++)
            {
                _cache.Deletions[files[i].Fragment.Id] = (files[i].Name, [.. read[i]]);
            }
        }
    }

    /// <summary>Remembers the deleted rows of a deletion file just written, so the next read need not decode it.</summary>
    public void RememberDeletedRows(DataFragment fragment, DeletionFileInfo deletion, HashSet<int> rows)
        => _cache.Deletions[fragment.Id] = (deletion.FileName(fragment.Id), rows);

    /// <summary>The store key of a fragment's deletion file.</summary>
    public static string DeletionPath(DataFragment fragment, DeletionFileInfo deletion) => DatasetFiles.DeletionKey(fragment.Id, deletion);

    /// <summary>Per row of the fragment, whether it is not deleted; null when nothing is deleted.</summary>
    public bool[]? LiveRows(DataFragment fragment)
    {
        if (fragment.DeletionFile is not { } deletion)
        {
            return null;
        }

        var name = deletion.FileName(fragment.Id);
        if (_cache.LiveRows.TryGetValue(fragment.Id, out var known) && known.Deletion == name)
        {
            return known.Live;
        }

        var live = new bool[fragment.PhysicalRows];
        System.Array.Fill(live, true);
        foreach (var row in DeletedRows(fragment))
        {
            if (row < live.Length)
            {
                live[row] = false;
            }
        }

        _cache.LiveRows[fragment.Id] = (name, live);
        return live;
    }

    private LanceField LanceFieldOf(Field field) => Manifest.Schema.FindField(field.Name)
        ?? throw new LanceSchemaException($"Column '{field.Name}' does not exist in '{Location}'.");

    // After columns are added a fragment has several files; each field lives in one of them. A
    // nullable field no file holds (added as all-null) reads as nulls from the first file.
    // Files list leaf field ids (as Lance writes format 2.1), so a struct or list is found by its first leaf.
    // The data file of the fragment that holds the field's column (its manifest entry names its size).
    private static DataFile DataFileOf(DataFragment fragment, LanceField field)
    {
        var leaf = field;
        while (leaf.Children.Count > 0)
        {
            leaf = leaf.Children[0];
        }

        return fragment.Files.Count == 1
            ? fragment.Files[0]
            : fragment.Files.FirstOrDefault(f => f.Fields.Contains(leaf.Id) || f.Fields.Contains(field.Id)) ?? fragment.Files[0];
    }
}
