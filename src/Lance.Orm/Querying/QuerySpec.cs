using Lance.Engine;
using Lance.Engine.Query;

namespace Lance.Orm;

/// <summary>The state a query builder accumulates.</summary>
internal sealed class QuerySpec
{
    public QuerySpec(QueryInput? input)
    {
        Input = input;
        Limit = input is null ? null : 10;
    }

    /// <summary>The search input; null for a plain (filter-only) query.</summary>
    public QueryInput? Input { get; }

    /// <summary>Rows to return at most: 10 for a search (as in LanceDB), all for a plain query, unless set.</summary>
    public int? Limit { get; set; }

    public int Offset { get; set; }

    public string? Column { get; set; }

    public DistanceMetric Metric { get; set; } = DistanceMetric.L2;

    public IReadOnlyList<string>? Columns { get; set; }

    public bool WithRowId { get; set; }

    /// <summary>Filters given as SQL text, ANDed together.</summary>
    public List<string> FilterSql { get; } = [];

    /// <summary>Filters translated from LINQ, ANDed together (and with <see cref="FilterSql"/>).</summary>
    public List<FilterNode> Filters { get; } = [];

    public bool Prefilter { get; set; } = true;

    public float? DistanceLower { get; set; }

    public float? DistanceUpper { get; set; }

    /// <summary>IVF partitions an indexed search probes.</summary>
    public int Nprobes { get; set; } = 20;

    /// <summary>Candidates per result re-ranked with exact vectors in an indexed search; null for none.</summary>
    public int? RefineFactor { get; set; }

    /// <summary>HNSW beam width of an indexed search; null for LanceDB's default.</summary>
    public int? Ef { get; set; }

    /// <summary>Search every row exactly even when an index covers the column.</summary>
    public bool BypassIndex { get; set; }

    /// <summary>Sort keys of a plain query (<c>OrderBy</c>/<c>ThenBy</c>), first key first; empty for scan order.</summary>
    public List<ColumnOrder> Order { get; } = [];

    /// <summary>The reranker the results go through, or null for none.</summary>
    public IReranker? Reranker { get; set; }

    /// <summary>The text a reranker scores against, when not the search's own text.</summary>
    public string? RerankQuery { get; set; }

    /// <summary>How a text input is searched: by meaning (the default) or by keywords through a full-text index.</summary>
    public QueryType QueryType { get; set; } = QueryType.Auto;

    /// <summary>The keywords of a hybrid search whose input is not text (a vector or an image); null to use the input's text.</summary>
    public string? HybridKeywords { get; set; }

    /// <summary>The full-text indexed column the keyword half of a hybrid search reads; null to let the table choose.</summary>
    public string? FullTextColumn { get; set; }

    /// <summary>
    /// The filter for the engine: one SQL text as is (so errors point into it), otherwise one tree
    /// (SQL parts as <see cref="FilterSql"/> nodes, parsed by the engine when it binds the tree);
    /// nothing when there is no filter.
    /// </summary>
    public (string? Sql, FilterNode? Tree) ResolveFilter()
    {
        if (Filters.Count == 0)
        {
            return FilterSql.Count switch
            {
                0 => (null, null),
                1 => (FilterSql[0], null),
                _ => (null, Combine(FilterSql.Select(sql => (FilterNode)new FilterSql(sql)))),
            };
        }

        return (null, Combine(FilterSql.Select(sql => (FilterNode)new FilterSql(sql)).Concat(Filters)));
    }

    private static FilterNode Combine(IEnumerable<FilterNode> parts) => parts.Aggregate(FilterNode.And);
}
