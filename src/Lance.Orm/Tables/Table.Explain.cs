using Lance.Engine;

namespace Lance.Orm;

/// <summary>Explaining queries.</summary>
public partial class Table
{
    /// <summary>The plan of a query (nothing is embedded or read but the index files its filter needs).</summary>
    internal Task<QueryPlan> ExplainAsync(QuerySpec spec, CancellationToken cancellationToken)
    {
        var (sql, tree) = spec.ResolveFilter();
        if (spec.Input is null)
        {
            return Dataset.ExplainPlanAsync(new ScanRequest { Columns = spec.Columns, Filter = sql, FilterTree = tree, Limit = spec.Limit, Offset = spec.Offset }, cancellationToken);
        }

        var (column, _) = ResolveColumn(spec);
        var request = new VectorSearchRequest(column, ReadOnlyMemory<float>.Empty, spec.Limit ?? 10)
        {
            Metric = spec.Metric,
            Columns = spec.Columns,
            Filter = sql,
            FilterTree = tree,
            Prefilter = spec.Prefilter,
            BypassIndex = spec.BypassIndex,
        };
        return Dataset.ExplainPlanAsync(request, cancellationToken);
    }
}
