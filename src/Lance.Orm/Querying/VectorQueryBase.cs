using Apache.Arrow;
using Lance.Engine;

namespace Lance.Orm;

/// <summary>The fluent part shared by typed and untyped vector searches.</summary>
/// <typeparam name="TSelf">The concrete builder type, returned by every fluent call.</typeparam>
public abstract class VectorQueryBase<TSelf>
    where TSelf : VectorQueryBase<TSelf>
{
    private protected VectorQueryBase(Table table, QueryInput input)
    {
        Table = table;
        Spec = new QuerySpec(input);
    }

    private protected Table Table { get; }

    private protected QuerySpec Spec { get; }

    /// <summary>Returns at most <paramref name="limit"/> rows (10 by default, as in LanceDB).</summary>
    public TSelf Limit(int limit)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        Spec.Limit = limit;
        return (TSelf)this;
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

    /// <summary>Returns only the named columns (plus <c>_distance</c>).</summary>
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

    /// <summary>Runs the search and returns the rows as one Arrow record batch, nearest first, with <c>_distance</c>.</summary>
    public Task<RecordBatch> ToArrowAsync(CancellationToken cancellationToken = default) => Table.ExecuteAsync(Spec, cancellationToken);

    /// <summary>Runs the search and materialises the rows as <typeparamref name="TModel"/>.</summary>
    public async Task<List<TModel>> ToListAsync<TModel>(CancellationToken cancellationToken = default)
        where TModel : ILanceModel<TModel>
    {
        var batch = await ToArrowAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<TModel>(batch.Length);
        TModel.ReadRecordBatch(batch, rows);
        return rows;
    }

    /// <summary>Runs the search and returns each row of <typeparamref name="TModel"/> with its distance.</summary>
    public async Task<List<SearchResult<TModel>>> ToSearchResultsAsync<TModel>(CancellationToken cancellationToken = default)
        where TModel : ILanceModel<TModel>
    {
        var batch = await ToArrowAsync(cancellationToken).ConfigureAwait(false);
        var rows = new List<TModel>(batch.Length);
        TModel.ReadRecordBatch(batch, rows);
        var distances = (FloatArray)batch.Column(LanceDataset.DistanceColumn);
        return rows.Select((row, i) => new SearchResult<TModel>(row, distances.GetValue(i) ?? float.NaN)).ToList();
    }
}

/// <summary>A vector search on an untyped table; choose the row type at the end with <c>ToListAsync&lt;TModel&gt;()</c>.</summary>
public sealed class VectorQuery : VectorQueryBase<VectorQuery>
{
    internal VectorQuery(Table table, QueryInput input) : base(table, input) { }
}

/// <summary>A vector search on a table of <typeparamref name="T"/>.</summary>
/// <typeparam name="T">The table's model.</typeparam>
public sealed class VectorQuery<T> : VectorQueryBase<VectorQuery<T>>
    where T : ILanceModel<T>
{
    internal VectorQuery(Table<T> table, QueryInput input) : base(table, input) { }

    /// <summary>Runs the search and returns the rows, nearest first.</summary>
    public Task<List<T>> ToListAsync(CancellationToken cancellationToken = default) => ToListAsync<T>(cancellationToken);

    /// <summary>Runs the search and returns the rows with their distances, nearest first.</summary>
    public Task<List<SearchResult<T>>> ToSearchResultsAsync(CancellationToken cancellationToken = default) => ToSearchResultsAsync<T>(cancellationToken);

    /// <summary>Runs the search and returns the nearest row, or null when the table is empty.</summary>
    public async Task<T?> FirstOrDefaultAsync(CancellationToken cancellationToken = default)
    {
        var rows = await Limit(1).ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? default : rows[0];
    }
}
