using Apache.Arrow;
using Lance.Engine.Dataset;
using Lance.Engine.Format;
using Lance.Engine.Index;
using Lance.Engine.Query;
using Lance.Engine.Query.Filtering;
using Lance.Engine.Storage;

namespace Lance.Engine;

/// <summary>
/// A Lance dataset on disk: a folder of versioned manifests and data files that LanceDB reads too.
/// An instance follows the newest version it knows; every write commits exactly one new version
/// atomically, so readers never see a partial write and a failed write leaves the committed versions
/// untouched. Dispose it to release its memory maps and caches.
/// </summary>
/// <remarks>
/// A thin façade: reads go to the current <see cref="Snapshot"/> (<see cref="Scanner"/>, <see cref="VectorSearch"/>, <see cref="IndexedSearch"/>);
/// writes plan a <see cref="Transaction"/> (<see cref="FragmentWriter"/>, <see cref="RowDeleter"/>, <see cref="RowUpdater"/>, <see cref="MergeInsert"/>,
/// <see cref="Compactor"/>, <see cref="SchemaEvolution"/>, <see cref="IndexWriter"/>) that the <see cref="VersionHead"/> commits through the <see cref="CommitLog"/>.
/// </remarks>
public sealed class LanceDataset : IAsyncDisposable
{
    /// <summary>The name of the distance column that searches append.</summary>
    public const string DistanceColumn = "_distance";

    /// <summary>The name of the row-id column that searches append on request.</summary>
    public const string RowIdColumn = "_rowid";

    /// <summary>The folder under the dataset that holds index files.</summary>
    public const string IndicesFolder = IndexCatalog.IndicesFolder;

    /// <summary>The name of the BM25 score column full-text searches append.</summary>
    public const string ScoreColumn = Lance.Engine.Index.FullText.FullTextSearcher.ScoreColumn;

    internal const string IvfPqTypeUrl = IndexCatalog.IvfPqTypeUrl;

    private readonly IObjectStore _store;
    private readonly bool _ownsStore;
    private readonly ICommitObserver? _observer;
    private readonly FragmentCache _cache;
    private readonly IndexCache _indexes;
    private readonly VersionHead _head;
    private readonly Microsoft.Extensions.Logging.ILogger? _logger;

    private LanceDataset(string path, IObjectStore? store, ICommitObserver? observer, Manifest manifest, bool readOnly = false, DatasetOpenOptions? open = null)
    {
        Path = path;
        _ownsStore = store is null;
        _store = store ?? new LocalObjectStore(path);
        _observer = observer;
        var files = new DatasetFiles(_store, path);
        _cache = new FragmentCache(files, open ?? DatasetOpenOptions.Default);
        _indexes = new IndexCache(files);
        _logger = open?.Logger;
        _head = new VersionHead(new CommitLog(_store, path, observer), new Snapshot(manifest, _cache), readOnly);
    }

    /// <summary>The dataset folder.</summary>
    public string Path { get; }

    /// <summary>The Arrow schema of the current version, with its metadata.</summary>
    public Schema Schema => Current.Schema;

    /// <summary>The current version number (1 for a new dataset).</summary>
    public ulong Version => Current.Manifest.Version;

    /// <summary>When the current version was committed.</summary>
    public DateTimeOffset VersionTimestamp => Current.Manifest.Timestamp;

    /// <summary>Whether this is a read-only view of an older version (from <see cref="CheckoutAsync(ulong, CancellationToken)"/>); writes through it throw.</summary>
    public bool IsReadOnly => _head.IsReadOnly;

    /// <summary>The byte budget of this instance's column cache (see <see cref="DatasetOpenOptions.CacheBudgetBytes"/>).</summary>
    public long CacheBudgetBytes => _cache.Columns.BudgetBytes;

    /// <summary>The bytes of decoded columns this instance's cache holds now (at most about <see cref="CacheBudgetBytes"/> once no query pins them).</summary>
    public long CachedBytes => _cache.Columns.CachedBytes;

    /// <summary>The number of fragments (groups of rows stored together) in the current version.</summary>
    public int FragmentCount => Current.Fragments.Count;

    /// <summary>Indexes of the current version that this engine keeps but does not use (LanceDB's vector indexes; its BTREE, BITMAP and LABEL_LIST indexes are used, see <see cref="LanceDatasetIndexing.ListScalarIndices"/>): queries on their columns run exactly without them, and they stay in the manifest for LanceDB until an operation rewrites what they cover.</summary>
    public IReadOnlyList<IgnoredIndexInfo> IgnoredIndices => IndexCatalog.Ignored(Current.Manifest);

    /// <summary>The version this instance reads (index management and search extensions).</summary>
    internal Snapshot Current => _head.Current;

    internal VersionHead Head => _head;

    internal IndexCache IndexCache => _indexes;

    internal CommitLog Log => _head.Log;

    private TagStore Tags => new(Log.Store, Path);

    /// <summary>Whether <paramref name="path"/> holds a Lance dataset (a <c>_versions</c> folder with a manifest).</summary>
    public static bool Exists(string path) => VersionNames.List(path).Count > 0;

    /// <summary>Creates a dataset at <paramref name="path"/> with <paramref name="schema"/> and the rows of <paramref name="batches"/> (none for an empty table), as one version.</summary>
    /// <exception cref="LanceException">A dataset exists and <paramref name="mode"/> is <see cref="WriteMode.Create"/>, or the folder holds something that is not a dataset.</exception>
    /// <exception cref="LanceSchemaException">A batch does not fit <paramref name="schema"/>; nothing is committed.</exception>
    public static Task<LanceDataset> CreateAsync(string path, Schema schema, IEnumerable<RecordBatch>? batches = null, WriteMode mode = WriteMode.Create,
        DatasetWriteOptions? options = null, CancellationToken cancellationToken = default)
        => CreateAsync(path, schema, BatchStreams.From(batches ?? [], cancellationToken), mode, options, cancellationToken);

    /// <summary>Creates a dataset from a stream of batches of any length, with bounded memory: data files are cut at <see cref="DatasetWriteOptions.MaxRowsPerFile"/> rows or <see cref="DatasetWriteOptions.MaxBytesPerFile"/> bytes. Nothing is committed unless the whole stream is written.</summary>
    /// <exception cref="LanceException">A dataset exists and <paramref name="mode"/> is <see cref="WriteMode.Create"/>, or the folder holds something that is not a dataset.</exception>
    /// <exception cref="LanceSchemaException">A batch does not fit <paramref name="schema"/>; nothing is committed.</exception>
    public static async Task<LanceDataset> CreateAsync(string path, Schema schema, IAsyncEnumerable<RecordBatch> batches, WriteMode mode = WriteMode.Create,
        DatasetWriteOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(schema);
        ArgumentNullException.ThrowIfNull(batches);
        var log = new CommitLog(options?.Store ?? new LocalObjectStore(path), path, options?.CommitObserver);
        var manifest = await DatasetCreator.CreateAsync(path, log, schema, batches, mode, options, cancellationToken).ConfigureAwait(false);
        return new LanceDataset(path, options?.Store, options?.CommitObserver, manifest);
    }

    /// <summary>Opens the newest version of the dataset at <paramref name="path"/>.</summary>
    /// <exception cref="LanceTableNotFoundException">No folder at the path.</exception>
    /// <exception cref="LanceFormatException">The folder is not a Lance dataset, or its manifest is unreadable.</exception>
    public static Task<LanceDataset> OpenAsync(string path, CancellationToken cancellationToken = default) => OpenAsync(path, DatasetOpenOptions.Default, cancellationToken);

    /// <summary>Opens the newest version of the dataset at <paramref name="path"/>, telling <see cref="DatasetOpenOptions.Logger"/> about anything kept but not used (see <see cref="IgnoredIndices"/>).</summary>
    /// <exception cref="LanceTableNotFoundException">No folder at the path.</exception>
    /// <exception cref="LanceFormatException">The folder is not a Lance dataset, or its manifest is unreadable.</exception>
    public static async Task<LanceDataset> OpenAsync(string path, DatasetOpenOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var manifest = await CommitLog.OpenFolder(path, options.Store, cancellationToken).TryReadLatestAsync(cancellationToken).ConfigureAwait(false)
            ?? throw new LanceFormatException($"'{path}' is not a Lance dataset: it has no manifest under '{VersionNames.VersionsFolder}'.");
        IndexCatalog.LogIgnored(manifest, path, options.Logger);
        return new LanceDataset(path, options.Store, options.CommitObserver, manifest, open: options);
    }

    /// <summary>Opens a read-only view of <paramref name="version"/> of the dataset at <paramref name="path"/> without reading any other version's manifest.</summary>
    /// <exception cref="LanceTableNotFoundException">No folder at the path.</exception>
    /// <exception cref="LanceVersionNotFoundException">The dataset has no such version.</exception>
    /// <exception cref="LanceFormatException">That version's manifest is unreadable.</exception>
    public static async Task<LanceDataset> OpenAsync(string path, ulong version, CancellationToken cancellationToken = default)
        => new(path, null, null, await CommitLog.OpenFolder(path, null, cancellationToken).ReadVersionAsync(version, cancellationToken).ConfigureAwait(false), readOnly: true);

    /// <summary>Re-reads the newest committed version (another writer may have committed since).</summary>
    /// <exception cref="InvalidOperationException">This is a read-only view of an older version.</exception>
    public Task RefreshAsync(CancellationToken cancellationToken = default) => _head.RefreshAsync(cancellationToken);

    /// <summary>The number of live rows (physical rows less deleted ones) in the current version.</summary>
    public long CountRows() => Current.CountRows();

    /// <summary>The number of live rows that pass the SQL <paramref name="filter"/> (all live rows when null).</summary>
    /// <exception cref="LanceFilterException">The filter is invalid for this dataset.</exception>
    public Task<long> CountRowsAsync(string? filter, CancellationToken cancellationToken = default) => CountRowsAsync(filter, null, cancellationToken);

    /// <summary>The number of live rows that pass <paramref name="filter"/>, a filter built in code.</summary>
    /// <exception cref="LanceFilterException">The filter is invalid for this dataset.</exception>
    public Task<long> CountRowsAsync(FilterNode filter, CancellationToken cancellationToken) => CountRowsAsync(null, filter ?? throw new ArgumentNullException(nameof(filter)), cancellationToken);

    private Task<long> CountRowsAsync(string? sql, FilterNode? tree, CancellationToken cancellationToken)
        => Scanner.CountRowsAsync(Current, ResolveFilter(sql, tree), cancellationToken);

    internal RowFilter? ResolveFilter(string? sql, FilterNode? tree) => Scanner.ResolveFilter(Current.Schema, Path, sql, tree);

    /// <summary>Reads <paramref name="columns"/> (all when null, in that order) of the current version, one record batch per fragment, skipping deleted rows.</summary>
    public IAsyncEnumerable<RecordBatch> ScanAsync(IReadOnlyList<string>? columns = null, CancellationToken cancellationToken = default)
        => ScanAsync(new ScanRequest { Columns = columns }, cancellationToken);

    /// <summary>Reads the rows that pass the request's filter, at most one batch per fragment, after skipping <see cref="ScanRequest.Offset"/> rows and up to <see cref="ScanRequest.Limit"/> rows. The filter reads its own columns first; the others are taken for the passing rows only.</summary>
    /// <exception cref="LanceFilterException">The filter is invalid for this dataset (raised on the first iteration).</exception>
    /// <exception cref="LanceSchemaException">A requested column does not exist.</exception>
    public IAsyncEnumerable<RecordBatch> ScanAsync(ScanRequest request, CancellationToken cancellationToken = default)
        => Scanner.ScanAsync(Current, request ?? throw new ArgumentNullException(nameof(request)), cancellationToken);

    /// <summary>
    /// Finds the rows nearest to the query vector, nearest first, with a float32 <c>_distance</c> column after the requested columns: through a vector
    /// index when one serves the request, else exactly. A prefilter (the default) scores only rows that pass the filter; a postfilter filters the k
    /// nearest, so fewer than k may come back.
    /// </summary>
    /// <exception cref="LanceSchemaException">The column is missing, is not a float vector, or has another dimension than the query.</exception>
    /// <exception cref="LanceFilterException">The filter is invalid for this dataset.</exception>
    public Task<RecordBatch> SearchAsync(VectorSearchRequest request, CancellationToken cancellationToken = default)
        => VectorSearch.SearchAsync(Current, _indexes, request ?? throw new ArgumentNullException(nameof(request)), cancellationToken);

    /// <summary>Runs searches that share everything but the query vector in one go (exact ones share one pass over the vectors; indexed ones run in parallel). Results are in the order of <paramref name="queries"/>; the request's own query is ignored.</summary>
    /// <exception cref="LanceSchemaException">The column is missing, is not a float vector, or a query has another dimension.</exception>
    public Task<IReadOnlyList<RecordBatch>> SearchBatchAsync(VectorSearchRequest request, IReadOnlyList<ReadOnlyMemory<float>> queries, CancellationToken cancellationToken = default)
        => BatchSearch.SearchAsync(Current, _indexes, request ?? throw new ArgumentNullException(nameof(request)), queries ?? throw new ArgumentNullException(nameof(queries)), cancellationToken);

    internal RecordBatch? TrySearchIndexed(VectorSearchRequest request, IReadOnlyDictionary<ulong, bool[]>? allowed)
        => IndexedSearch.TrySearch(Current, _indexes, request, ResolveFilter(request.Filter, request.FilterTree), allowed);

    /// <summary>Appends the rows of <paramref name="batches"/> as new fragments, as one new version; nullable columns they lack are filled with nulls.</summary>
    /// <exception cref="LanceSchemaException">A batch does not fit the schema; nothing is committed.</exception>
    /// <exception cref="LanceCommitConflictException">Another writer changed the schema meanwhile; nothing is committed.</exception>
    public Task AppendAsync(IEnumerable<RecordBatch> batches, DatasetWriteOptions? options = null, CancellationToken cancellationToken = default)
        => AppendAsync(BatchStreams.From(batches ?? throw new ArgumentNullException(nameof(batches)), cancellationToken), options, cancellationToken);

    /// <summary>Appends a stream of batches of any length and commits one version once it ends, with bounded memory: data files are written as they fill (<see cref="DatasetWriteOptions.MaxRowsPerFile"/>, <see cref="DatasetWriteOptions.MaxBytesPerFile"/>). If the stream fails or is cancelled nothing is committed.</summary>
    /// <exception cref="LanceSchemaException">A batch does not fit the schema; nothing is committed.</exception>
    /// <exception cref="LanceCommitConflictException">Another writer changed the schema meanwhile; nothing is committed.</exception>
    public Task AppendAsync(IAsyncEnumerable<RecordBatch> batches, DatasetWriteOptions? options = null, CancellationToken cancellationToken = default)
        => _head.WriteAsync((s, ct) => FragmentWriter.PlanAppendAsync(s, batches, options, ct), retry: false, cancellationToken);

    /// <summary>Replaces every row (and, when <paramref name="schema"/> is given, the schema) with the rows of <paramref name="batches"/>, as one new version.</summary>
    /// <exception cref="LanceSchemaException">A batch does not fit the schema; nothing is committed.</exception>
    public Task OverwriteAsync(IAsyncEnumerable<RecordBatch> batches, Schema? schema = null, DatasetWriteOptions? options = null, CancellationToken cancellationToken = default)
        => _head.WriteAsync((s, ct) => FragmentWriter.PlanOverwriteAsync(s, batches, schema, options, ct), retry: false, cancellationToken);

    /// <summary>Replaces every row with the rows of <paramref name="batches"/>, as one new version.</summary>
    /// <exception cref="LanceSchemaException">A batch does not fit the schema; nothing is committed.</exception>
    public Task OverwriteAsync(IEnumerable<RecordBatch> batches, Schema? schema = null, DatasetWriteOptions? options = null, CancellationToken cancellationToken = default)
        => OverwriteAsync(BatchStreams.From(batches ?? throw new ArgumentNullException(nameof(batches)), cancellationToken), schema, options, cancellationToken);

    /// <summary>Deletes the rows that pass the SQL <paramref name="filter"/>, as one new version; returns how many (0 commits nothing).</summary>
    /// <exception cref="LanceFilterException">The filter is invalid for this dataset; nothing is deleted.</exception>
    public Task<long> DeleteAsync(string filter, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(filter);
        return DeleteAsync(RowFilter.Parse(filter, Current.Schema, Path), filter, cancellationToken);
    }

    /// <summary>Deletes the rows that pass <paramref name="filter"/>, a filter built in code, as one new version; returns how many (0 commits nothing).</summary>
    /// <exception cref="LanceFilterException">The filter is invalid for this dataset; nothing is deleted.</exception>
    public Task<long> DeleteAsync(FilterNode filter, CancellationToken cancellationToken = default)
        => DeleteAsync(ResolveFilter(null, filter ?? throw new ArgumentNullException(nameof(filter)))!, cancellationToken);

    /// <summary>Sets columns of the rows that pass <paramref name="filter"/> (every row when null) to values computed per batch of those rows, as one new version; returns how many rows.</summary>
    /// <exception cref="LanceFilterException">The filter is invalid for this dataset; nothing is updated.</exception>
    /// <exception cref="LanceSchemaException">A column does not exist, or a setter's values do not fit it; nothing is updated.</exception>
    public Task<long> UpdateAsync(FilterNode? filter, IReadOnlyDictionary<string, Func<RecordBatch, IArrowArray>> setters, CancellationToken cancellationToken)
        => UpdateAsync(ResolveFilter(null, filter), setters, null, cancellationToken);

    /// <summary>
    /// As <see cref="UpdateAsync(FilterNode?, IReadOnlyDictionary{string, Func{RecordBatch, IArrowArray}}, CancellationToken)"/>, then
    /// passes each batch of updated rows (every column, the setters' values in place) to <paramref name="complete"/>,
    /// which may change any column before the rows are written (the ORM recomputes vectors from changed sources there).
    /// </summary>
    /// <exception cref="LanceFilterException">The filter is invalid for this dataset; nothing is updated.</exception>
    /// <exception cref="LanceSchemaException">A column does not exist, or a value does not fit it; nothing is updated.</exception>
    public Task<long> UpdateAsync(FilterNode? filter, IReadOnlyDictionary<string, Func<RecordBatch, IArrowArray>> setters,
        Func<RecordBatch, CancellationToken, Task<RecordBatch>>? complete, CancellationToken cancellationToken)
        => UpdateAsync(ResolveFilter(null, filter), setters, complete, cancellationToken);

    /// <summary>The setters of LanceDB's <c>values_sql</c> (column → SQL expression over the row) for this dataset's current schema.</summary>
    /// <exception cref="LanceFilterException">An expression does not parse or does not fit the schema; with the position.</exception>
    /// <exception cref="LanceSchemaException">A column does not exist.</exception>
    public IReadOnlyDictionary<string, Func<RecordBatch, IArrowArray>> SqlSetters(IReadOnlyDictionary<string, string> valuesSql)
        => RowUpdater.Sql(Current.Schema, Path, valuesSql ?? throw new ArgumentNullException(nameof(valuesSql)));

    internal Task<long> DeleteAsync(IRowPredicate predicate, CancellationToken cancellationToken = default) => DeleteAsync(predicate, "", cancellationToken);

    // Reads the rows it deletes, so it runs again on the newest version after a conflicting concurrent change.
    internal Task<long> DeleteAsync(IRowPredicate predicate, string description, CancellationToken cancellationToken)
        => _head.WriteAsync((s, ct) => Task.FromResult(RowDeleter.Plan(s, predicate, description, ct)), retry: true, cancellationToken);

    /// <summary>Sets columns of the rows that pass the SQL <paramref name="filter"/> (every row when null) to constant <paramref name="values"/>, as one new version; returns how many.</summary>
    /// <exception cref="LanceFilterException">The filter is invalid for this dataset; nothing is updated.</exception>
    /// <exception cref="LanceSchemaException">A column does not exist, or a value does not fit its type.</exception>
    public Task<long> UpdateAsync(string? filter, IReadOnlyDictionary<string, object?> values, CancellationToken cancellationToken = default)
        => UpdateAsync(string.IsNullOrWhiteSpace(filter) ? null : RowFilter.Parse(filter, Current.Schema, Path), values, cancellationToken);

    internal Task<long> UpdateAsync(IRowPredicate? predicate, IReadOnlyDictionary<string, object?> values, CancellationToken cancellationToken = default)
        => UpdateAsync(predicate, RowUpdater.Constants(Current.Schema, Path, values ?? throw new ArgumentNullException(nameof(values))), cancellationToken);

    internal Task<long> UpdateAsync(IRowPredicate? predicate, IReadOnlyDictionary<string, Func<RecordBatch, IArrowArray>> setters, CancellationToken cancellationToken = default)
        => UpdateAsync(predicate, setters, null, cancellationToken);

    internal Task<long> UpdateAsync(IRowPredicate? predicate, IReadOnlyDictionary<string, Func<RecordBatch, IArrowArray>> setters,
        Func<RecordBatch, CancellationToken, Task<RecordBatch>>? complete, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(setters);
        _head.ThrowIfReadOnly();
        RowUpdater.CheckTargets(Current.Schema, Path, setters.Keys);
        return _head.WriteAsync((s, ct) => RowUpdater.PlanAsync(s, predicate ?? LambdaPredicate.All, setters, complete, ct), retry: true, cancellationToken);
    }

    /// <summary>Sets columns of the rows matching the SQL <paramref name="filter"/> (every row when null) to SQL expressions over the row (LanceDB's <c>values_sql</c>), as one new version.</summary>
    /// <exception cref="LanceFilterException">The filter or an expression does not parse or does not fit the schema; with the position.</exception>
    /// <exception cref="LanceSchemaException">A column does not exist, or an expression's values do not fit it; nothing is committed.</exception>
    public Task<long> UpdateWithSqlAsync(string? filter, IReadOnlyDictionary<string, string> valuesSql, CancellationToken cancellationToken = default)
        => UpdateAsync(filter is null ? null : RowFilter.Parse(filter, Current.Schema, Path), RowUpdater.Sql(Current.Schema, Path, valuesSql), cancellationToken);

    /// <summary>Merges <paramref name="source"/> rows by the key columns <paramref name="on"/>, as LanceDB's <c>merge_insert</c> (see <see cref="MergeInsertOptions"/>), in one new version. A null key never matches.</summary>
    /// <exception cref="LanceSchemaException">A key column does not exist, or the source does not fit the schema.</exception>
    /// <exception cref="LanceException">The source has a key twice, or a key matches several table rows while updating.</exception>
    public Task<MergeInsertResult> MergeInsertAsync(IReadOnlyList<string> on, IEnumerable<RecordBatch> source, MergeInsertOptions options, CancellationToken cancellationToken = default)
        => MergeInsertAsync(on, source, options, MergeInsert.NotMatchedBySource(options, Current.Schema, Path), cancellationToken);

    // The source is read once: a merge that meets a concurrent change runs again on the newest version.
    internal Task<MergeInsertResult> MergeInsertAsync(
        IReadOnlyList<string> on, IEnumerable<RecordBatch> source, MergeInsertOptions options, IRowPredicate? notMatchedBySource, CancellationToken cancellationToken = default)
    {
        _head.ThrowIfReadOnly();
        var batches = MergeInsert.Validate(on, source, options, Path);
        return _head.WriteAsync((s, ct) => MergeInsert.PlanAsync(s, on, batches, options, notMatchedBySource, ct), retry: true, cancellationToken);
    }

    /// <summary>
    /// Merges runs of small fragments and rewrites fragments with many deleted rows without them, as one new version (none when
    /// there is nothing to do). As in Lance, the indexes over the rewritten fragments are remapped to the rows' new places in the
    /// same version (BTREE, BITMAP, LABEL_LIST and the IVF vector kinds, ours and LanceDB's; full-text indexes are built again over
    /// the same rows). Our older private IVF_PQ format and the indexes of a stable-row-id dataset are not remapped (the
    /// <see cref="DatasetOpenOptions.Logger"/> is told).
    /// </summary>
    public Task<CompactionResult> CompactAsync(CompactionOptions? options = null, CancellationToken cancellationToken = default)
    {
        _head.ThrowIfReadOnly();
        options = Compactor.Check(options);
        return _head.WriteAsync((s, ct) => Compactor.PlanAsync(s, _indexes, _logger, options, ct), retry: true, cancellationToken);
    }

    /// <summary>Adds a column whose value in every row is <paramref name="defaultValue"/>, as one new version (an all-null nullable column costs no data).</summary>
    /// <exception cref="LanceSchemaException">The name is taken, or the value does not fit the type.</exception>
    public Task AddColumnAsync(Field field, object? defaultValue = null, CancellationToken cancellationToken = default)
        => AddColumnsAsync([SchemaEvolution.Constant(field, defaultValue, Path)], cancellationToken);

    /// <summary>Adds a column computed by <paramref name="compute"/> from each fragment's <paramref name="inputs"/> columns (deleted rows included), as one new version.</summary>
    /// <exception cref="LanceSchemaException">The name is taken, an input column does not exist, or the values do not fit.</exception>
    public Task AddColumnAsync(Field field, IReadOnlyList<string> inputs, Func<RecordBatch, IArrowArray>? compute, CancellationToken cancellationToken = default)
        => AddColumnsAsync([new NewColumn(field ?? throw new ArgumentNullException(nameof(field)), inputs ?? throw new ArgumentNullException(nameof(inputs)), compute)], cancellationToken);

    /// <summary>Adds columns computed by SQL expressions (LanceDB's <c>add_columns</c>, e.g. <c>{"double_id": "id * 2"}</c>), nullable and typed by their expression, as one new version.</summary>
    /// <exception cref="LanceFilterException">An expression does not parse or names an unknown column; with the position.</exception>
    /// <exception cref="LanceSchemaException">A name is taken.</exception>
    public Task AddColumnsAsync(IReadOnlyDictionary<string, string> expressions, CancellationToken cancellationToken = default)
        => AddColumnsAsync(SchemaEvolution.FromSql(Current.Schema, Path, expressions ?? throw new ArgumentNullException(nameof(expressions))), cancellationToken);

    internal Task AddColumnsAsync(IReadOnlyList<NewColumn> columns, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(columns);
        _head.ThrowIfReadOnly();
        return columns.Count == 0 ? Task.CompletedTask : _head.WriteAsync(
            async (s, ct) => ((Transaction?)await SchemaEvolution.PlanAddAsync(s, columns, ct).ConfigureAwait(false), true), retry: false, cancellationToken);
    }

    /// <summary>Removes columns from the schema, as one new version (their data stays in older versions' files until cleaned up).</summary>
    /// <exception cref="LanceSchemaException">A column does not exist, or every column would be dropped.</exception>
    public Task DropColumnsAsync(IReadOnlyList<string> columns, CancellationToken cancellationToken = default)
        => _head.WriteAsync((s, _) => Task.FromResult(((Transaction?)SchemaEvolution.PlanDrop(s, columns), true)), retry: false, cancellationToken);

    /// <summary>Renames a column, as one new version (no data is rewritten).</summary>
    /// <exception cref="LanceSchemaException">The column does not exist, or the new name is taken.</exception>
    public Task RenameColumnAsync(string column, string newName, CancellationToken cancellationToken = default)
        => _head.WriteAsync((s, _) => Task.FromResult(((Transaction?)SchemaEvolution.PlanRename(s, column, newName), true)), retry: false, cancellationToken);

    /// <summary>Every version still in the dataset, oldest first.</summary>
    /// <exception cref="LanceFormatException">A manifest cannot be read.</exception>
    public Task<IReadOnlyList<DatasetVersion>> ListVersionsAsync(CancellationToken cancellationToken = default) => Log.DescribeVersionsAsync(cancellationToken);

    /// <summary>Opens a read-only view of <paramref name="version"/> (time travel); writes through it throw, except <see cref="RestoreAsync(CancellationToken)"/>.</summary>
    /// <exception cref="LanceVersionNotFoundException">The dataset has no such version (never committed, or cleaned up).</exception>
    public async Task<LanceDataset> CheckoutAsync(ulong version, CancellationToken cancellationToken = default)
        => new(Path, _ownsStore ? null : _store, _observer, await Log.ReadVersionAsync(version, cancellationToken).ConfigureAwait(false), readOnly: true, _cache.Options);

    /// <summary>Opens a read-only view of the version a tag points at.</summary>
    /// <exception cref="LanceVersionNotFoundException">No such tag, or its version was removed.</exception>
    public async Task<LanceDataset> CheckoutAsync(string tag, CancellationToken cancellationToken = default)
        => await CheckoutAsync(await Tags.ResolveAsync(tag, cancellationToken).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);

    /// <summary>Makes the rows and schema of <paramref name="version"/> the newest version again, as a new version (the versions in between stay).</summary>
    /// <exception cref="LanceVersionNotFoundException">The dataset has no such version.</exception>
    public async Task RestoreAsync(ulong version, CancellationToken cancellationToken = default)
    {
        var old = await Log.ReadVersionAsync(version, cancellationToken).ConfigureAwait(false);
        _head.IsReadOnly = false;
        await RefreshAsync(cancellationToken).ConfigureAwait(false);
        await _head.CommitAsync(new Transaction(TransactionKind.Restore, "restore") { RestoreFrom = old }, Current, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>On a view from <see cref="CheckoutAsync(ulong, CancellationToken)"/>: makes the viewed version the newest again, after which this instance follows the newest version.</summary>
    public Task RestoreAsync(CancellationToken cancellationToken = default) => RestoreAsync(Version, cancellationToken);

    /// <summary>The dataset's tags and the versions they point at.</summary>
    /// <exception cref="LanceFormatException">A tag file cannot be read.</exception>
    public Task<IReadOnlyDictionary<string, ulong>> ListTagsAsync(CancellationToken cancellationToken = default) => Tags.ListAsync(cancellationToken);

    /// <summary>Names <paramref name="version"/> with <paramref name="tag"/>; a tagged version is never cleaned up.</summary>
    /// <exception cref="ArgumentException">The tag name is not made of letters, digits, '.', '_' and '-'.</exception>
    /// <exception cref="LanceException">The tag exists already.</exception>
    /// <exception cref="LanceVersionNotFoundException">The dataset has no such version.</exception>
    public Task CreateTagAsync(string tag, ulong version, CancellationToken cancellationToken = default) => Tags.CreateAsync(tag, version, Log, cancellationToken);

    /// <summary>Deletes a tag (the version stays).</summary>
    /// <exception cref="LanceVersionNotFoundException">No such tag.</exception>
    public Task DeleteTagAsync(string tag, CancellationToken cancellationToken = default) => Tags.DeleteAsync(tag, cancellationToken);

    /// <summary>
    /// Deletes versions committed more than <paramref name="olderThan"/> ago (never the newest, never a tagged one), then the files and index folders
    /// no remaining version uses. Files no version ever referenced (left by a failed or killed writer) go once seven days old, or at once with
    /// <paramref name="deleteUnverified"/> (only safe when no other writer runs).
    /// </summary>
    public async Task<CleanupResult> CleanupOldVersionsAsync(TimeSpan olderThan, bool deleteUnverified = false, CancellationToken cancellationToken = default)
    {
        _head.ThrowIfReadOnly();
        var result = await VersionCleaner.CleanupAsync(Log, Tags, olderThan, deleteUnverified, cancellationToken).ConfigureAwait(false);
        _cache.Deletions.Clear();
        return result;
    }

    /// <summary>Releases the memory maps, decoded columns and indexes this instance holds; disposing again does nothing, any other use afterwards throws <see cref="ObjectDisposedException"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        if (_head.TryDispose())
        {
            _cache.Clear();
            _indexes.Clear();
            if (_ownsStore)
            {
                await _store.DisposeAsync().ConfigureAwait(false);
            }
        }
    }
}
