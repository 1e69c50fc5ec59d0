namespace Lance.Orm;

/// <summary>Text searches by meaning or by keywords on a typed table.</summary>
public sealed partial class Table<T>
{
    /// <summary>
    /// Searches by text, by meaning (<see cref="QueryType.Auto"/>, <see cref="QueryType.Vector"/>: the text is embedded) or by keywords
    /// (<see cref="QueryType.FullText"/>: BM25 over the full-text index of <c>.Column(name)</c>, or of the only indexed column, best first).
    /// </summary>
    /// <exception cref="NotSupportedException"><paramref name="queryType"/> is <see cref="QueryType.Hybrid"/>.</exception>
    public new VectorQuery<T> Search(string text, QueryType queryType)
    {
        ArgumentNullException.ThrowIfNull(text);
        FullTextSearches.Check(queryType, Name);
        var query = new VectorQuery<T>(this, QueryInput.FromText(text));
        return queryType == QueryType.FullText ? query.AsFullText() : query;
    }
}
