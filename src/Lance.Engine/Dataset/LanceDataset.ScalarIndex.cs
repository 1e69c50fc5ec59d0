using Lance.Engine.Dataset;
using Lance.Engine.Index.Scalar;

namespace Lance.Engine;

/// <summary>Scalar index members of <see cref="LanceDataset"/>.</summary>
public sealed partial class LanceDataset
{
    /// <summary>
    /// Builds a scalar index on <paramref name="column"/> in Lance's own format (LanceDB uses it too) and
    /// commits it as a new version. Filters and prefiltered searches then answer from it the rows it covers.
    /// </summary>
    /// <param name="column">A top-level column of numbers, strings, binary, booleans, dates or timestamps.</param>
    /// <param name="kind">BTREE (ranges and equality, any cardinality) or BITMAP (equality on few distinct values).</param>
    /// <param name="name">The index name; <c>&lt;column&gt;_idx</c> when null.</param>
    /// <param name="replace">Whether an index of that name is rebuilt (LanceDB's default); when false it is an error.</param>
    /// <param name="cancellationToken">Cancels the build; nothing is committed then.</param>
    /// <exception cref="LanceIndexException">No such column, a type the kind cannot index, or the name is taken and <paramref name="replace"/> is false.</exception>
    public Task<ScalarIndexInfo> CreateScalarIndexAsync(string column, ScalarIndexKind kind, string? name = null, bool replace = true, CancellationToken cancellationToken = default)
    {
        ArgumentException.ThrowIfNullOrEmpty(column);
        _head.ThrowIfReadOnly();
        return ScalarIndexBuilder.CreateAsync(Current, Log, column, kind, name, replace, _head.Follow, cancellationToken);
    }

    /// <summary>The scalar indexes (BTREE, BITMAP) of the current version that filters use, LanceDB's and ours alike.</summary>
    /// <exception cref="LanceFormatException">An index's files are missing or unreadable.</exception>
    public IReadOnlyList<ScalarIndexInfo> ListScalarIndices()
    {
        var snapshot = Current;
        return IndexedColumn.Of(snapshot.Manifest).Values
            .SelectMany(c => c.Segments.Select(s => ScalarIndexBuilder.Describe(snapshot.Manifest, s, ScalarIndexReader.Load(snapshot.Files, snapshot.Manifest, s, c.Kind, c.Column), 0)))
            .ToList();
    }

    /// <summary>How <paramref name="request"/> would run on the current version (indexes used, fragments and rows its filter scans), without running it.</summary>
    /// <exception cref="LanceFilterException">The filter does not parse or does not fit the schema.</exception>
    public Task<QueryPlan> ExplainPlanAsync(ScanRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        var snapshot = Current;
        var filter = ResolveFilter(request.Filter, request.FilterTree);
        if (filter is not null)
        {
            filter.UseScalarIndex = request.UseScalarIndex;
        }

        return Task.FromResult(QueryExplainer.Explain(snapshot, "Scan", filter, filter is null ? FilterPlacement.None : FilterPlacement.Prefilter, null));
    }

    /// <summary>How <paramref name="request"/> would run on the current version (vector index or exact, where the filter runs, the scalar indexes it uses), without running it.</summary>
    /// <exception cref="LanceFilterException">The filter does not parse or does not fit the schema.</exception>
    public Task<QueryPlan> ExplainPlanAsync(VectorSearchRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        cancellationToken.ThrowIfCancellationRequested();
        var snapshot = Current;
        var filter = ResolveFilter(request.Filter, request.FilterTree);
        if (filter is not null)
        {
            filter.UseScalarIndex = request.UseScalarIndex;
        }

        var placement = filter is null ? FilterPlacement.None : request.Prefilter ? FilterPlacement.Prefilter : FilterPlacement.Postfilter;
        var vectorIndex = Lance.Engine.Index.IndexedSearch.FindIndex(snapshot, _indexes, request)?[0].Name;
        return Task.FromResult(QueryExplainer.Explain(snapshot, "VectorSearch", filter, placement, vectorIndex));
    }

    /// <summary>How <paramref name="sql"/> uses the current version's scalar indexes (tests and explain output).</summary>
    internal ScalarFilterPlan PlanFilter(string sql)
        => ScalarFilterPlan.For(Current, ResolveFilter(sql, null) ?? throw new ArgumentException("A filter is needed.", nameof(sql)));
}
