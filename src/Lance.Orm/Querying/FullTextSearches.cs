using Apache.Arrow;
using Lance.Engine;
using Lance.Engine.Index.FullText;
using Lance.Engine.Query;

namespace Lance.Orm;

/// <summary>The ORM's side of full-text search: a query text becomes a BM25 match query over a full-text index.</summary>
internal static class FullTextSearches
{
    /// <summary>Checks the query type of a text search: hybrid is not available here yet.</summary>
    /// <exception cref="NotSupportedException"><paramref name="queryType"/> is <see cref="QueryType.Hybrid"/>.</exception>
    public static void Check(QueryType queryType, string table)
    {
        if (queryType == QueryType.Hybrid)
        {
            throw new NotSupportedException($"Table '{table}': hybrid search (vector and full-text fused by a reranker) is not available through Search(text, QueryType.Hybrid) yet; run QueryType.Vector and QueryType.FullText searches.");
        }

        if (!Enum.IsDefined(queryType))
        {
            throw new ArgumentOutOfRangeException(nameof(queryType), queryType, $"Unknown query type for a search of table '{table}'.");
        }
    }

    /// <summary>Runs the full-text search <paramref name="spec"/> describes: the rows, best first, with <c>_score</c>.</summary>
    public static Task<RecordBatch> RunAsync(LanceDataset dataset, QuerySpec spec, string text, string? sql, FilterNode? tree, CancellationToken cancellationToken)
    {
        var request = new FullTextSearchRequest(new MatchQuery(text, spec.Column))
        {
            Columns = spec.Columns,
            Filter = sql,
            FilterTree = tree,
            Limit = spec.Limit ?? 10,
            Offset = spec.Offset,
            WithRowId = spec.WithRowId,
        };
        return dataset.FullTextSearchAsync(request, cancellationToken);
    }
}
