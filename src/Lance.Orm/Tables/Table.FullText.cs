namespace Lance.Orm;

/// <summary>Text searches by meaning or by keywords on an untyped table.</summary>
public partial class Table
{
    /// <summary>
    /// Searches by text, by meaning (<see cref="QueryType.Auto"/>, <see cref="QueryType.Vector"/>: the text is embedded) or by keywords
    /// (<see cref="QueryType.FullText"/>: BM25 over the full-text index of <c>.Column(name)</c>, or of the only indexed column; results carry
    /// <c>_score</c>, best first).
    /// </summary>
    /// <exception cref="NotSupportedException"><paramref name="queryType"/> is <see cref="QueryType.Hybrid"/>.</exception>
    public VectorQuery Search(string text, QueryType queryType)
    {
        ArgumentNullException.ThrowIfNull(text);
        FullTextSearches.Check(queryType, Name);
        var query = new VectorQuery(this, QueryInput.FromText(text));
        return queryType == QueryType.FullText ? query.AsFullText() : query;
    }
}
