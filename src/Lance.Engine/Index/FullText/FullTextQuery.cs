namespace Lance.Engine.Index.FullText;

/// <summary>A full-text query, LanceDB's query kinds: <see cref="MatchQuery"/>, <see cref="PhraseQuery"/>, <see cref="BooleanQuery"/>, <see cref="MultiMatchQuery"/> and <see cref="BoostQuery"/>.</summary>
public abstract record FullTextQuery
{
    private protected FullTextQuery()
    {
    }

    /// <summary>The columns the query reads (null entries mean "the only full-text-indexed column").</summary>
    internal abstract IEnumerable<string?> ReferencedColumns();
}
