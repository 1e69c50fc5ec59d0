namespace Lance.Orm;

/// <summary>Text searches by meaning or by keywords on a typed table.</summary>
public sealed partial class Table<T>
{
    /// <summary>
    /// Searches by text, by meaning (<see cref="QueryType.Auto"/>, <see cref="QueryType.Vector"/>: the text is embedded) or by keywords
    /// (<see cref="QueryType.FullText"/>: BM25 over the full-text index of <c>.Column(name)</c>, or of the only indexed column, best first).
    /// </summary>
    /// <remarks>
    /// <see cref="QueryType.Hybrid"/> runs both, as LanceDB's hybrid query: the text embedded with the table's function and searched by
    /// vector (<c>.Column(name)</c> picks the vector column), and searched by keywords over the full-text index (the only one, or the
    /// embedded text column's, or <c>.FullTextColumn(name)</c>), each with the query's filter, columns, limit and offset; the two lists
    /// are fused by reciprocal rank fusion (k = 60) or the reranker given to <c>.Rerank</c>, and the rows come back most relevant
    /// first with <c>_relevance_score</c> (filling a <c>[Relevance]</c> member), <c>_distance</c> and <c>_score</c> (null where one
    /// search did not find the row).
    /// </remarks>
    /// <exception cref="ArgumentOutOfRangeException"><paramref name="queryType"/> is not a defined value.</exception>
    public new VectorQuery<T> Search(string text, QueryType queryType)
    {
        ArgumentNullException.ThrowIfNull(text);
        FullTextSearches.Check(queryType, Name);
        var query = new VectorQuery<T>(this, QueryInput.FromText(text));
        return queryType switch
        {
            QueryType.FullText => query.AsFullText(),
            QueryType.Hybrid => query.AsHybrid(),
            _ => query,
        };
    }
}
