using Lance.Engine.Dataset;
using Lance.Engine.Index;
using Lance.Engine.Index.Scalar;
using Lance.Engine.Query;
using Lance.Engine.Query.Filtering;

namespace Lance.Engine;

/// <summary>Query plans of a <see cref="LanceDataset"/>: how a scan or a search would run, without running it.</summary>
public static class LanceDatasetExplain
{
    /// <summary>How <paramref name="request"/> would run on the current version (indexes used, fragments and rows its filter scans), without running it.</summary>
    /// <exception cref="LanceFilterException">The filter does not parse or does not fit the schema.</exception>
    public static Task<QueryPlan> ExplainPlanAsync(this LanceDataset dataset, ScanRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (snapshot, filter) = Resolve(dataset, request.Filter, request.FilterTree, request.UseScalarIndex, cancellationToken);
        return Task.FromResult(QueryExplainer.Explain(snapshot, "Scan", filter, filter is null ? FilterPlacement.None : FilterPlacement.Prefilter, null));
    }

    /// <summary>How <paramref name="request"/> would run on the current version (vector index or exact, where the filter runs, the scalar indexes it uses), without running it.</summary>
    /// <exception cref="LanceFilterException">The filter does not parse or does not fit the schema.</exception>
    public static Task<QueryPlan> ExplainPlanAsync(this LanceDataset dataset, VectorSearchRequest request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (snapshot, filter) = Resolve(dataset, request.Filter, request.FilterTree, request.UseScalarIndex, cancellationToken);
        var placement = filter is null ? FilterPlacement.None : request.Prefilter ? FilterPlacement.Prefilter : FilterPlacement.Postfilter;
        var vectorIndex = IndexedSearch.FindIndex(snapshot, dataset.IndexCache, request)?[0].Name;
        return Task.FromResult(QueryExplainer.Explain(snapshot, "VectorSearch", filter, placement, vectorIndex));
    }

    // The current version and the request's filter, bound to its schema, with the request's choice on scalar indexes.
    private static (Snapshot Snapshot, RowFilter? Filter) Resolve(LanceDataset dataset, string? sql, FilterNode? tree, bool useScalarIndex, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(dataset);
        cancellationToken.ThrowIfCancellationRequested();
        var filter = dataset.ResolveFilter(sql, tree);
        if (filter is not null)
        {
            filter.UseScalarIndex = useScalarIndex;
        }

        return (dataset.Current, filter);
    }

    /// <summary>How <paramref name="sql"/> uses the current version's scalar indexes (tests and explain output).</summary>
    internal static ScalarFilterPlan PlanFilter(this LanceDataset dataset, string sql)
        => ScalarFilterPlan.For(dataset.Current, dataset.ResolveFilter(sql, null) ?? throw new ArgumentException("A filter is needed.", nameof(sql)));
}
