using Apache.Arrow;
using Lance.Engine;
using Lance.Engine.Index.FullText;
using Lance.Engine.Query;

namespace Lance.Orm;

/// <summary>The ORM's side of full-text search: a query text becomes a BM25 match query over a full-text index.</summary>
internal static class FullTextSearches
{
    /// <summary>Checks the query type of a text search.</summary>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="queryType"/> is not a defined value.</exception>
    public static void Check(QueryType queryType, string table)
    {
        if (!Enum.IsDefined(queryType))
        {
            throw new ArgumentOutOfRangeException(nameof(queryType), queryType, $"Unknown query type for a search of table '{table}'.");
        }
    }

    /// <summary>Runs the full-text search <paramref name="spec"/> describes: the rows, best first, with <c>_score</c>.</summary>
    public static Task<RecordBatch> RunAsync(LanceDataset dataset, QuerySpec spec, string text, string? sql, FilterNode? tree, CancellationToken cancellationToken)
        => RunAsync(dataset, spec, spec.Column, text, sql, tree, spec.WithRowId, cancellationToken);

    /// <summary>Runs a match query for <paramref name="text"/> over <paramref name="column"/> (the only indexed column when null) with the spec's filter, columns, limit and offset.</summary>
    public static Task<RecordBatch> RunAsync(LanceDataset dataset, QuerySpec spec, string? column, string text, string? sql, FilterNode? tree, bool withRowId, CancellationToken cancellationToken)
    {
        var request = new FullTextSearchRequest(new MatchQuery(text, column))
        {
            Columns = spec.Columns,
            Filter = sql,
            FilterTree = tree,
            Limit = spec.Limit ?? 10,
            Offset = spec.Offset,
            WithRowId = withRowId,
        };
        return dataset.FullTextSearchAsync(request, cancellationToken);
    }

    /// <summary>
    /// The column the keyword half of a hybrid search reads: the one named with <c>FullTextColumn</c>, else the only column with a
    /// full-text index, else (with several) the embedded column's source column when it is one of them.
    /// </summary>
    /// <exception cref="LanceIndexException">The table has no full-text index, or several and none is chosen.</exception>
    public static string HybridColumn(LanceDataset dataset, string table, QuerySpec spec, string? sourceColumn)
    {
        if (spec.FullTextColumn is { } named)
        {
            return named;
        }

        var indexed = dataset.FullTextIndexedColumns();
        return indexed.Count switch
        {
            1 => indexed[0],
            0 => throw new LanceIndexException(
                $"Table '{table}' has no full-text index, so a hybrid search cannot search it by keywords: create one on the text column first (LanceDB's create_fts_index)."),
            _ when sourceColumn is not null && indexed.Contains(sourceColumn) => sourceColumn,
            _ => throw new LanceIndexException(
                $"Table '{table}' has full-text indexes on {string.Join(", ", indexed.Select(c => $"'{c}'"))}: choose the one a hybrid search reads with .FullTextColumn(name)."),
        };
    }
}
