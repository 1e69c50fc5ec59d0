using System.Runtime.CompilerServices;
using Apache.Arrow;
using Lance.Engine;

namespace Lance.Orm;

/// <summary>The fluent part shared by every query: filter, paging, projection, row ids, and the Arrow and count terminals.</summary>
/// <typeparam name="TSelf">The concrete builder type, returned by every fluent call.</typeparam>
public abstract class QueryBase<TSelf>
    where TSelf : QueryBase<TSelf>
{
    private protected QueryBase(Table table, QueryInput? input)
    {
        Table = table;
        Spec = new QuerySpec(input);
    }

    private protected Table Table { get; }

    private protected QuerySpec Spec { get; }

    /// <summary>
    /// Keeps rows that pass the SQL filter (<c>"id &gt; 10 AND name LIKE 'a%'"</c>), ANDed with earlier filters.
    /// For a search, <paramref name="prefilter"/> (LanceDB's default) filters before the nearest rows are
    /// chosen; false filters the nearest rows afterwards, so fewer than the limit may come back.
    /// </summary>
    public TSelf Where(string sql, bool prefilter = true)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(sql);
        Spec.FilterSql.Add(sql);
        Spec.Prefilter = prefilter;
        return (TSelf)this;
    }

    /// <summary>Returns at most <paramref name="limit"/> rows (10 by default for a search, as in LanceDB; all for a plain query).</summary>
    public TSelf Limit(int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        Spec.Limit = limit;
        return (TSelf)this;
    }

    /// <summary>Skips the first <paramref name="offset"/> rows (for a search, the nearest ones).</summary>
    public TSelf Offset(int offset)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(offset);
        Spec.Offset = offset;
        return (TSelf)this;
    }

    /// <summary>Returns only the named columns (a search adds <c>_distance</c>).</summary>
    public TSelf Select(params string[] columns)
    {
        ArgumentNullException.ThrowIfNull(columns);
        Spec.Columns = columns;
        return (TSelf)this;
    }

    /// <summary>Adds the <c>_rowid</c> column to the results.</summary>
    public TSelf WithRowId()
    {
        Spec.WithRowId = true;
        return (TSelf)this;
    }

    /// <summary>
    /// How the query would run, without running it: the scalar indexes its filter uses, the vector index
    /// (or an exact search), prefilter or postfilter, and the fragments and rows the filter scans.
    /// </summary>
    public Task<QueryPlan> ExplainPlanAsync(CancellationToken cancellationToken = default) => Table.ExplainAsync(Spec, cancellationToken);

    /// <summary>Runs the query and streams the rows as Arrow record batches (a search: one batch, nearest first, with <c>_distance</c>).</summary>
    public IAsyncEnumerable<RecordBatch> ToArrowAsync(CancellationToken cancellationToken = default) => Table.ObservedExecuteAsync(Spec, cancellationToken);

    /// <summary>Runs the query and returns all its rows as one record batch.</summary>
    public async Task<RecordBatch> ToBatchAsync(CancellationToken cancellationToken = default)
    {
        var batches = new List<RecordBatch>();
        await foreach (var batch in ToArrowAsync(cancellationToken).ConfigureAwait(false))
        {
            batches.Add(batch);
        }

        return Table.Concatenate(batches, Spec);
    }

    /// <summary>Counts the rows the query returns (for a plain query, counted without reading other columns).</summary>
    public async Task<long> CountAsync(CancellationToken cancellationToken = default)
    {
        if (Spec.Input is null && Spec.Offset == 0 && Spec.Limit is null)
        {
            return await Table.CountAsync(Spec, cancellationToken).ConfigureAwait(false);
        }

        long count = 0;
        await foreach (var batch in ToArrowAsync(cancellationToken).ConfigureAwait(false))
        {
            count += batch.Length;
        }

        return count;
    }

    /// <summary>Runs the query and materialises the rows as <typeparamref name="TModel"/>.</summary>
    public async Task<List<TModel>> ToListAsync<TModel>(CancellationToken cancellationToken = default)
        where TModel : ILanceModel<TModel>
    {
        var rows = new List<TModel>();
        await foreach (var batch in ToArrowAsync(cancellationToken).ConfigureAwait(false))
        {
            cancellationToken.ThrowIfCancellationRequested();
            ModelRows.Read(batch, rows, Spec.Columns is not null, Table.Name);
        }

        return rows;
    }

    /// <summary>Streams the rows as <typeparamref name="TModel"/>, one batch read at a time.</summary>
    public async IAsyncEnumerable<TModel> AsAsyncEnumerable<TModel>([EnumeratorCancellation] CancellationToken cancellationToken = default)
        where TModel : ILanceModel<TModel>
    {
        var rows = new List<TModel>();
        await foreach (var batch in ToArrowAsync(cancellationToken).ConfigureAwait(false))
        {
            // Checked per batch: rows already read are handed out, no further batch is materialised.
            cancellationToken.ThrowIfCancellationRequested();
            rows.Clear();
            ModelRows.Read(batch, rows, Spec.Columns is not null, Table.Name);
            foreach (var row in rows)
            {
                yield return row;
            }
        }
    }
}

/// <summary>The fluent part shared by typed and untyped vector searches.</summary>
/// <typeparam name="TSelf">The concrete builder type, returned by every fluent call.</typeparam>
public abstract class VectorQueryBase<TSelf> : QueryBase<TSelf>
    where TSelf : VectorQueryBase<TSelf>
{
    private protected VectorQueryBase(Table table, QueryInput input) : base(table, input)
    {
    }

    /// <summary>Searches the vector column <paramref name="column"/> (needed only when a table has several).</summary>
    public TSelf Column(string column)
    {
        ArgumentException.ThrowIfNullOrEmpty(column);
        Spec.Column = column;
        return (TSelf)this;
    }

    /// <summary>Measures distance with <paramref name="metric"/> (L2 by default, as in LanceDB).</summary>
    public TSelf DistanceType(DistanceMetric metric)
    {
        Spec.Metric = metric;
        return (TSelf)this;
    }

    /// <summary>Keeps rows whose distance is at least <paramref name="lower"/> (inclusive) and below <paramref name="upper"/> (exclusive); null leaves a side open.</summary>
    public TSelf DistanceRange(float? lower = null, float? upper = null)
    {
        Spec.DistanceLower = lower;
        Spec.DistanceUpper = upper;
        return (TSelf)this;
    }

    /// <summary>How many IVF partitions a search through a vector index probes (default 20, as LanceDB): more is slower and more exact.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="nprobes"/> is not positive.</exception>
    public TSelf Nprobes(int nprobes)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(nprobes);
        Spec.Nprobes = nprobes;
        return (TSelf)this;
    }

    /// <summary>
    /// In a search through a vector index, takes <c>limit × <paramref name="refineFactor"/></c>
    /// candidates and re-ranks them with the exact vectors, so distances are exact too.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="refineFactor"/> is not positive.</exception>
    public TSelf RefineFactor(int refineFactor)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(refineFactor);
        Spec.RefineFactor = refineFactor;
        return (TSelf)this;
    }

    /// <summary>
    /// The beam width of a search through an IVF_HNSW_SQ index within each probed partition (LanceDB's
    /// <c>ef</c>; default 1.5 × the candidates wanted): larger is slower and finds more true neighbours.
    /// </summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="ef"/> is not positive.</exception>
    public TSelf Ef(int ef)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(ef);
        Spec.Ef = ef;
        return (TSelf)this;
    }

    /// <summary>Makes a text search a full-text (BM25) search over the full-text index of <c>Column</c> (or the only indexed column).</summary>
    internal TSelf AsFullText()
    {
        Spec.QueryType = QueryType.FullText;
        return (TSelf)this;
    }

    /// <summary>Makes a text search a hybrid search: by meaning and by keywords, fused by the reranker (reciprocal rank fusion unless <c>Rerank</c> names another).</summary>
    internal TSelf AsHybrid()
    {
        Spec.QueryType = QueryType.Hybrid;
        return (TSelf)this;
    }

    /// <summary>
    /// In a hybrid search, the full-text indexed column the keyword half reads (needed only when the table has several
    /// full-text indexes and the embedded text column is not one of them); <c>Column</c> names the vector column.
    /// </summary>
    public TSelf FullTextColumn(string column)
    {
        ArgumentException.ThrowIfNullOrEmpty(column);
        Spec.FullTextColumn = column;
        return (TSelf)this;
    }

    /// <summary>
    /// Makes this search a hybrid search (LanceDB's <c>nearestTo(vector).fullTextSearch(text)</c>): the search's vector (or its
    /// text or image, embedded) finds rows by meaning, <paramref name="keywords"/> find rows by BM25 over the full-text index of
    /// <paramref name="column"/> (by default the only indexed column, or the embedded text column), and the two lists are fused
    /// by reciprocal rank fusion (k = 60) or the reranker given to <c>Rerank</c>.
    /// </summary>
    /// <param name="keywords">The keyword query.</param>
    /// <param name="column">The full-text indexed column to search; null to let the table choose.</param>
    public TSelf FullTextSearch(string keywords, string? column = null)
    {
        ArgumentNullException.ThrowIfNull(keywords);
        Spec.QueryType = QueryType.Hybrid;
        Spec.HybridKeywords = keywords;
        Spec.FullTextColumn = column ?? Spec.FullTextColumn;
        return (TSelf)this;
    }

    /// <summary>Searches every row exactly even when a vector index covers the column (LanceDB's <c>bypassVectorIndex</c>).</summary>
    public TSelf BypassVectorIndex()
    {
        Spec.BypassIndex = true;
        return (TSelf)this;
    }

    /// <summary>
    /// Reorders the nearest rows with <paramref name="reranker"/> (LanceDB's <c>rerank</c>): the search
    /// takes its limit of rows, the reranker scores them, and they come back most relevant first with a
    /// <c>_relevance_score</c> column (filling a <c>[Relevance]</c> member).
    /// </summary>
    /// <param name="reranker">The reranker, e.g. <see cref="RrfReranker"/> or a cross-encoder.</param>
    /// <param name="queryText">The text the reranker scores rows against; by default the search's own text (none for a search by vector).</param>
    public TSelf Rerank(IReranker reranker, string? queryText = null)
    {
        ArgumentNullException.ThrowIfNull(reranker);
        Spec.Reranker = reranker;
        Spec.RerankQuery = queryText;
        return (TSelf)this;
    }

    /// <summary>Runs the search and returns each row of <typeparamref name="TModel"/> with its distance (and row id with <c>WithRowId()</c>, query index with several query vectors).</summary>
    public async Task<List<SearchResult<TModel>>> ToSearchResultsAsync<TModel>(CancellationToken cancellationToken = default)
        where TModel : ILanceModel<TModel>
    {
        var batch = await ToBatchAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<TModel>(batch.Length);
        ModelRows.Read(batch, rows, Spec.Columns is not null, Table.Name);
        var distances = (FloatArray)batch.Column(LanceDataset.DistanceColumn);
        var rowIds = batch.Schema.GetFieldIndex(LanceDataset.RowIdColumn) is var index and >= 0 ? (UInt64Array)batch.Column(index) : null;
        var queryIndexes = batch.Schema.GetFieldIndex(Table.QueryIndexColumn) is var q and >= 0 ? (Int32Array)batch.Column(q) : null;
        return rows.Select((row, i) => new SearchResult<TModel>(row, distances.GetValue(i) ?? float.NaN, rowIds?.GetValue(i)) { QueryIndex = queryIndexes?.GetValue(i) }).ToList();
    }
}

/// <summary>A vector search on an untyped table; choose the row type at the end with <c>ToListAsync&lt;TModel&gt;()</c>.</summary>
public sealed class VectorQuery : VectorQueryBase<VectorQuery>
{
    internal VectorQuery(Table table, QueryInput input) : base(table, input) { }
}

/// <summary>A plain query (no vector) on an untyped table: filter, project, page.</summary>
public sealed class LanceQuery : QueryBase<LanceQuery>
{
    internal LanceQuery(Table table) : base(table, null) { }

    /// <summary>
    /// Sorts the rows by <paramref name="column"/>, smallest first (LanceDB's <c>orderBy</c>), before
    /// <c>Offset</c> and <c>Limit</c>; replaces an earlier order. Nulls come last unless <paramref name="nullsFirst"/>.
    /// </summary>
    public LanceQuery OrderBy(string column, bool nullsFirst = false) => Order(column, false, nullsFirst, then: false);

    /// <summary>Sorts the rows by <paramref name="column"/>, largest first; replaces an earlier order. Nulls come last unless <paramref name="nullsFirst"/>.</summary>
    public LanceQuery OrderByDescending(string column, bool nullsFirst = false) => Order(column, true, nullsFirst, then: false);

    /// <summary>Sorts rows that tie on the earlier keys by <paramref name="column"/>, smallest first.</summary>
    /// <exception cref="InvalidOperationException">No <c>OrderBy</c> came first.</exception>
    public LanceQuery ThenBy(string column, bool nullsFirst = false) => Order(column, false, nullsFirst, then: true);

    /// <summary>Sorts rows that tie on the earlier keys by <paramref name="column"/>, largest first.</summary>
    /// <exception cref="InvalidOperationException">No <c>OrderBy</c> came first.</exception>
    public LanceQuery ThenByDescending(string column, bool nullsFirst = false) => Order(column, true, nullsFirst, then: true);

    private LanceQuery Order(string column, bool descending, bool nullsFirst, bool then)
    {
        OrderedScan.Add(Spec, column, descending, nullsFirst, then);
        return this;
    }
}
