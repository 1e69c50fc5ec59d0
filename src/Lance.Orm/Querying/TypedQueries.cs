using System.Linq.Expressions;
using System.Runtime.CompilerServices;

namespace Lance.Orm;

/// <summary>A vector search on a table of <typeparamref name="T"/>.</summary>
/// <typeparam name="T">The table's model.</typeparam>
public sealed class VectorQuery<T> : VectorQueryBase<VectorQuery<T>>
    where T : ILanceModel<T>
{
    internal VectorQuery(Table<T> table, QueryInput input) : base(table, input) { }

    /// <summary>Searches the vector member <paramref name="column"/> (<c>x =&gt; x.Embedding</c>; needed only when the model has several).</summary>
    /// <exception cref="ArgumentException">The selector does not name a stored member.</exception>
    public VectorQuery<T> Column<TVector>(Expression<Func<T, TVector>> column) => Column(Columns<T>.Name(column));

    /// <summary>
    /// Keeps rows for which <paramref name="predicate"/> holds, translated to the engine's filter
    /// (never run in memory). <paramref name="prefilter"/> (the default) filters before the nearest
    /// rows are chosen; false filters them afterwards, so fewer than the limit may come back.
    /// </summary>
    /// <exception cref="NotSupportedException">A part of the predicate cannot be translated; the message names it.</exception>
    public VectorQuery<T> Where(Expression<Func<T, bool>> predicate, bool prefilter = true)
    {
        Spec.Filters.Add(LinqFilterTranslator.Translate(predicate, Table.Schema, T.ColumnMap));
        Spec.Prefilter = prefilter;
        return this;
    }

    /// <summary>Projects each row (<c>x =&gt; new { x.Id, x.Text }</c>): only the columns it reads are fetched.</summary>
    public ProjectedQuery<T, TResult> Select<TResult>(Expression<Func<T, TResult>> selector)
    {
        ArgumentNullException.ThrowIfNull(selector);
        Spec.Columns = LinqFilterTranslator.ProjectedColumns(selector, T.ColumnMap);
        return new ProjectedQuery<T, TResult>(this, selector);
    }

    /// <summary>Runs the search and returns the rows, nearest first.</summary>
    public Task<List<T>> ToListAsync(CancellationToken cancellationToken = default) => ToListAsync<T>(cancellationToken);

    /// <summary>Streams the rows, nearest first.</summary>
    public IAsyncEnumerable<T> AsAsyncEnumerable(CancellationToken cancellationToken = default) => AsAsyncEnumerable<T>(cancellationToken);

    /// <summary>Runs the search and returns the rows with their distances, nearest first.</summary>
    public Task<List<SearchResult<T>>> ToSearchResultsAsync(CancellationToken cancellationToken = default) => ToSearchResultsAsync<T>(cancellationToken);

    /// <summary>Runs the search and returns the nearest row, or null when none passes.</summary>
    public async Task<T?> FirstOrDefaultAsync(CancellationToken cancellationToken = default)
    {
        var rows = await Limit(1).ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? default : rows[0];
    }
}

/// <summary>A plain query (no vector) on a table of <typeparamref name="T"/>: filter, project, page.</summary>
/// <typeparam name="T">The table's model.</typeparam>
public sealed class LanceQuery<T> : QueryBase<LanceQuery<T>>
    where T : ILanceModel<T>
{
    internal LanceQuery(Table<T> table) : base(table, null) { }

    /// <summary>
    /// Sorts the rows by the member <paramref name="key"/> selects (<c>x =&gt; x.Score</c>), smallest first
    /// (LanceDB's <c>orderBy</c>), before <c>Offset</c> and <c>Limit</c>; replaces an earlier order. Nulls
    /// come last unless <paramref name="nullsFirst"/>.
    /// </summary>
    public LanceQuery<T> OrderBy<TKey>(Expression<Func<T, TKey>> key, bool nullsFirst = false) => Order(key, false, nullsFirst, then: false);

    /// <summary>Sorts the rows by the member <paramref name="key"/> selects, largest first; replaces an earlier order.</summary>
    public LanceQuery<T> OrderByDescending<TKey>(Expression<Func<T, TKey>> key, bool nullsFirst = false) => Order(key, true, nullsFirst, then: false);

    /// <summary>Sorts rows that tie on the earlier keys by the member <paramref name="key"/> selects, smallest first.</summary>
    /// <exception cref="InvalidOperationException">No <c>OrderBy</c> came first.</exception>
    public LanceQuery<T> ThenBy<TKey>(Expression<Func<T, TKey>> key, bool nullsFirst = false) => Order(key, false, nullsFirst, then: true);

    /// <summary>Sorts rows that tie on the earlier keys by the member <paramref name="key"/> selects, largest first.</summary>
    /// <exception cref="InvalidOperationException">No <c>OrderBy</c> came first.</exception>
    public LanceQuery<T> ThenByDescending<TKey>(Expression<Func<T, TKey>> key, bool nullsFirst = false) => Order(key, true, nullsFirst, then: true);

    private LanceQuery<T> Order<TKey>(Expression<Func<T, TKey>> key, bool descending, bool nullsFirst, bool then)
    {
        OrderedScan.Add(Spec, Columns<T>.Name(key), descending, nullsFirst, then);
        return this;
    }

    /// <summary>Keeps rows for which <paramref name="predicate"/> holds, translated to the engine's filter (never run in memory).</summary>
    /// <exception cref="NotSupportedException">A part of the predicate cannot be translated; the message names it.</exception>
    public LanceQuery<T> Where(Expression<Func<T, bool>> predicate)
    {
        Spec.Filters.Add(LinqFilterTranslator.Translate(predicate, Table.Schema, T.ColumnMap));
        return this;
    }

    /// <summary>Projects each row (<c>x =&gt; new { x.Id, x.Text }</c>): only the columns it reads are fetched.</summary>
    public ProjectedQuery<T, TResult> Select<TResult>(Expression<Func<T, TResult>> selector)
    {
        ArgumentNullException.ThrowIfNull(selector);
        Spec.Columns = LinqFilterTranslator.ProjectedColumns(selector, T.ColumnMap);
        return new ProjectedQuery<T, TResult>(this, selector);
    }

    /// <summary>Runs the query and returns the rows in scan order.</summary>
    public Task<List<T>> ToListAsync(CancellationToken cancellationToken = default) => ToListAsync<T>(cancellationToken);

    /// <summary>Streams the rows in scan order.</summary>
    public IAsyncEnumerable<T> AsAsyncEnumerable(CancellationToken cancellationToken = default) => AsAsyncEnumerable<T>(cancellationToken);

    /// <summary>Returns the first row, or null when none passes.</summary>
    public async Task<T?> FirstOrDefaultAsync(CancellationToken cancellationToken = default)
    {
        var rows = await Limit(1).ToListAsync(cancellationToken).ConfigureAwait(false);
        return rows.Count == 0 ? default : rows[0];
    }
}

/// <summary>A query whose rows are projected with a selector; only the columns the selector reads are fetched.</summary>
/// <typeparam name="T">The table's model.</typeparam>
/// <typeparam name="TResult">What the selector returns.</typeparam>
public sealed class ProjectedQuery<T, TResult>
    where T : ILanceModel<T>
{
    private readonly Func<IAsyncEnumerable<T>> _rows;
    private readonly Func<T, TResult> _selector;
    private readonly Action<int> _limit;
    private readonly Action<int> _offset;

    internal ProjectedQuery(VectorQuery<T> query, Expression<Func<T, TResult>> selector)
    {
        _rows = () => query.AsAsyncEnumerable();
        (_limit, _offset) = (n => query.Limit(n), n => query.Offset(n));
        _selector = selector.Compile(preferInterpretation: !RuntimeFeature.IsDynamicCodeSupported);
    }

    internal ProjectedQuery(LanceQuery<T> query, Expression<Func<T, TResult>> selector)
    {
        _rows = () => query.AsAsyncEnumerable();
        (_limit, _offset) = (n => query.Limit(n), n => query.Offset(n));
        _selector = selector.Compile(preferInterpretation: !RuntimeFeature.IsDynamicCodeSupported);
    }

    /// <summary>Returns at most <paramref name="limit"/> rows: the query's <c>Limit</c>, so <c>Select(...).Limit(n)</c> and <c>Limit(n).Select(...)</c> are the same query.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is not positive.</exception>
    public ProjectedQuery<T, TResult> Limit(int limit)
    {
        _limit(limit);
        return this;
    }

    /// <summary>Skips the first <paramref name="offset"/> rows: the query's <c>Offset</c>.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="offset"/> is negative.</exception>
    public ProjectedQuery<T, TResult> Offset(int offset)
    {
        _offset(offset);
        return this;
    }

    /// <summary>Runs the query and returns the projected rows.</summary>
    public async Task<List<TResult>> ToListAsync(CancellationToken cancellationToken = default)
    {
        var result = new List<TResult>();
        await foreach (var row in AsAsyncEnumerable(cancellationToken).ConfigureAwait(false))
        {
            result.Add(row);
        }

        return result;
    }

    /// <summary>Streams the projected rows.</summary>
    public async IAsyncEnumerable<TResult> AsAsyncEnumerable([EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var row in _rows().WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            yield return _selector(row);
        }
    }

    /// <summary>Returns the first projected row, or default when none passes.</summary>
    public async Task<TResult?> FirstOrDefaultAsync(CancellationToken cancellationToken = default)
    {
        _limit(1);
        await foreach (var row in AsAsyncEnumerable(cancellationToken).ConfigureAwait(false))
        {
            return row;
        }

        return default;
    }
}
