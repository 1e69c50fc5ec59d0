using Lance.Engine.Index.Scalar;
using Lance.Engine.Query.Filtering;

namespace Lance.Engine.Dataset;

/// <summary>Builds the <see cref="QueryPlan"/> of a scan or search on a snapshot, from its indexes' coverage (nothing is read but index files a filter needs).</summary>
internal static class QueryExplainer
{
    /// <summary>The plan of a query whose filter (if any) runs at <paramref name="placement"/>.</summary>
    public static QueryPlan Explain(Snapshot snapshot, string operation, RowFilter? filter, FilterPlacement placement, string? vectorIndex)
    {
        var plan = new QueryPlan
        {
            Operation = operation,
            Fragments = snapshot.Fragments.Count,
            Rows = snapshot.CountRows(),
            VectorIndex = vectorIndex,
        };
        if (filter is null)
        {
            return plan;
        }

        plan = plan with { Filter = filter.Sql, Placement = placement };
        if (placement == FilterPlacement.Postfilter)
        {
            return plan with { Notes = ["the filter runs over the ranked rows only, without indexes"] };
        }

        var scalar = filter.UseScalarIndex ? ScalarFilterPlan.For(snapshot, filter) : null;
        int fromIndex = 0, narrowed = 0, scanned = 0;
        long rowsScanned = 0;
        foreach (var fragment in snapshot.Fragments)
        {
            switch (scalar?.Classify(fragment) ?? FragmentUse.Scanned)
            {
                case FragmentUse.FromIndex:
                    fromIndex++;
                    break;
                case FragmentUse.Narrowed:
                    narrowed++;
                    rowsScanned += (long)fragment.PhysicalRows;
                    break;
                default:
                    scanned++;
                    rowsScanned += (long)fragment.PhysicalRows;
                    break;
            }
        }

        var uses = scalar is not null && scalar.Root.UsesIndex;
        return plan with
        {
            ScalarIndexQuery = uses ? scalar!.Root.Describe() : null,
            ScalarIndexes = uses ? scalar!.IndexNames() : [],
            FragmentsFromIndex = fromIndex,
            FragmentsNarrowed = narrowed,
            FragmentsScanned = scanned,
            RowsScanned = rowsScanned,
        };
    }
}
